import { LitElement, html, css, nothing } from 'lit';
import { Task } from '@lit/task';
import { ApiError, DURATIONS, admin, type Offer, type Plan, type Product, type Tenant } from './api.js';
import { forgetCatalog, loadCatalog, type Catalog } from './catalog.js';
import { announce } from './events.js';
import { NO_PROBLEM, field, focusFirstInvalid, formAlert, formValues, problemOf, type FormProblem } from './fields.js';
import { formatDiscount, formatMoney, toMinor } from './format.js';
import { explain, t } from './messages.js';
import { offerLabel } from './offers-table.js';
import { shared } from './shared.styles.js';

/** At most this many plans' live offers are read at once. */
const PARALLEL = 6;

async function liveOffers(plans: Plan[], signal: AbortSignal): Promise<Map<string, Offer[]>> {
  const out = new Map<string, Offer[]>();
  let next = 0;
  const worker = async () => {
    while (next < plans.length) {
      const plan = plans[next++]!;
      const res = await admin.get<{ data: Offer[] }>(`/plans/${encodeURIComponent(plan.id)}/offers`, signal);
      out.set(plan.id, res.data);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, plans.length) }, worker));
  return out;
}

/**
 * @summary Products and their plans, each plan with its live offers
 * (`GET /admin/v1/plans/{id}/offers`, each linking to the offer's stats), and the forms that
 * create a product and a plan.
 */
export class CatalogView extends LitElement {
  static override styles = [shared, css`:host { display: block; } .columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(20rem, 1fr)); gap: 1rem; }`];
  static override properties = {
    tenant: { attribute: false },
    _productProblem: { state: true },
    _planProblem: { state: true },
    _reload: { state: true },
  };
  declare tenant: Tenant;
  declare _productProblem: FormProblem;
  declare _planProblem: FormProblem;
  declare _reload: number;

  constructor() {
    super();
    this._productProblem = NO_PROBLEM;
    this._planProblem = NO_PROBLEM;
    this._reload = 0;
  }

  private task = new Task(this, {
    task: async (_args, { signal }): Promise<{ catalog: Catalog; offers: Map<string, Offer[]> }> => {
      forgetCatalog();
      const catalog = await loadCatalog(signal);
      return { catalog, offers: await liveOffers(catalog.plans, signal) };
    },
    args: () => [this._reload],
  });

  private async createProduct(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const v = formValues(form);
    try {
      const p = await admin.post<Product>('/products', { name: v.name ?? '', ...(v.description ? { description: v.description } : {}) });
      this._productProblem = NO_PROBLEM;
      form.reset();
      announce(this, t.productCreated(p.name));
      this._reload++;
    } catch (err) {
      this._productProblem = problemOf(err, ['name', 'description']);
      await focusFirstInvalid(this);
    }
  }

  private async createPlan(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const v = formValues(form);
    const currency = (v.currency ?? '').trim().toUpperCase();
    const price = toMinor(v.price ?? '', currency || 'INR');
    if (price === null) {
      this._planProblem = { fields: { price: t.mustBeNumber }, general: null };
      await focusFirstInvalid(this);
      return;
    }
    try {
      const p = await admin.post<Plan>('/plans', {
        product_id: v.product_id ?? '',
        name: v.name ?? '',
        ...(v.description ? { description: v.description } : {}),
        duration: v.duration,
        price,
        currency,
        pricing: v.pricing,
        active: form.querySelector<HTMLInputElement>('input[name="active"]')!.checked,
      });
      this._planProblem = NO_PROBLEM;
      form.reset();
      announce(this, t.planCreated(p.name));
      this._reload++;
    } catch (err) {
      this._planProblem = problemOf(err, ['product_id', 'name', 'description', 'duration', 'price', 'currency', 'pricing']);
      await focusFirstInvalid(this);
    }
  }

  private renderProduct(p: Product, catalog: Catalog, offers: Map<string, Offer[]>) {
    const plans = catalog.plans.filter((x) => x.product_id === p.id);
    return html`<section class="card product" aria-labelledby=${`h-${p.id}`}>
      <h2 id=${`h-${p.id}`}>${p.name}</h2>
      ${p.description ? html`<p class="muted">${p.description}</p>` : nothing}
      ${plans.length === 0
        ? html`<p class="muted">${t.noPlans}</p>`
        : html`<div class="table-wrap"><table>
            <thead><tr><th scope="col">${t.colName}</th><th scope="col">${t.colDuration}</th><th scope="col" class="num">${t.colPrice}</th><th scope="col">${t.colActive}</th><th scope="col">${t.colLiveOffers}</th></tr></thead>
            <tbody>${plans.map((plan) => {
              const live = offers.get(plan.id) ?? [];
              return html`<tr data-plan-id=${plan.id}>
                <td>${plan.name}${plan.pricing === 'aum' ? html` <span class="badge">aum</span>` : nothing}</td>
                <td>${t.duration[plan.duration]}</td>
                <td class="num">${formatMoney(plan.price, plan.currency)}</td>
                <td>${plan.active ? t.yes : t.no}</td>
                <td>${live.length === 0
                  ? html`<span class="muted">${t.noLiveOffers}</span>`
                  : html`<ul class="live-offers">${live.map((o) => html`<li><a href=${`#/offers/${encodeURIComponent(o.id)}`}>${offerLabel(o)}</a> (${formatDiscount(o.discount)})</li>`)}</ul>`}</td>
              </tr>`;
            })}</tbody>
          </table></div>`}
    </section>`;
  }

  private renderForms(catalog: Catalog) {
    const pe = this._productProblem.fields;
    const le = this._planProblem.fields;
    return html`<div class="columns">
      <section class="card" aria-labelledby="new-product-h">
        <h2 id="new-product-h">${t.newProduct}</h2>
        ${formAlert(this._productProblem)}
        <form @submit=${this.createProduct} novalidate>
          ${field({ name: 'name', idPrefix: 'product-', label: t.productName, errors: pe, required: true })}
          ${field({ name: 'description', idPrefix: 'product-', label: `${t.description} ${t.optional}`, errors: pe, type: 'textarea', rows: 2 })}
          <button type="submit">${t.createProduct}</button>
        </form>
      </section>
      <section class="card" aria-labelledby="new-plan-h">
        <h2 id="new-plan-h">${t.newPlan}</h2>
        ${formAlert(this._planProblem)}
        <form @submit=${this.createPlan} novalidate>
          <div class="field">
            <label for="plan-product">${t.planProduct}</label>
            <select id="plan-product" name="product_id" aria-invalid=${le.product_id ? 'true' : 'false'}>
              ${catalog.products.map((p) => html`<option value=${p.id}>${p.name}</option>`)}
            </select>
            ${le.product_id ? html`<span class="error">${le.product_id}</span>` : nothing}
          </div>
          ${field({ name: 'name', idPrefix: 'plan-', label: t.planName, errors: le, required: true })}
          <div class="row">
            <div class="field">
              <label for="plan-duration">${t.planDuration}</label>
              <select id="plan-duration" name="duration" aria-invalid=${le.duration ? 'true' : 'false'} aria-describedby=${le.duration ? 'plan-duration-error' : nothing}>
                ${DURATIONS.map((d) => html`<option value=${d}>${t.duration[d]}</option>`)}
              </select>
              ${le.duration ? html`<span class="error" id="plan-duration-error">${le.duration}</span>` : nothing}
            </div>
            ${field({ name: 'price', label: t.planPrice, errors: le, inputmode: 'decimal', required: true })}
            ${field({ name: 'currency', label: t.currency, errors: le, value: 'INR', required: true })}
          </div>
          <div class="field">
            <label for="plan-pricing">${t.planPricing}</label>
            <select id="plan-pricing" name="pricing"><option value="fixed">${t.pricingFixed}</option><option value="aum">${t.pricingAum}</option></select>
          </div>
          <div class="check"><input type="checkbox" id="plan-active" name="active" checked /><label for="plan-active">${t.planActive}</label></div>
          <button type="submit" ?disabled=${catalog.products.length === 0}>${t.createPlan}</button>
        </form>
      </section>
    </div>`;
  }

  override render() {
    return html`
      <h1>${t.catalogTitle}</h1>
      ${this.task.render({
        pending: () => html`<p role="status">${t.loading}</p>`,
        error: (e) => html`<div class="alert error" role="alert">${explain(e instanceof ApiError ? e : { code: 'network_error', status: 0 })}
          <button class="secondary" @click=${() => this._reload++}>${t.retry}</button></div>`,
        complete: ({ catalog, offers }) => html`
          ${catalog.products.length === 0 ? html`<p class="card">${t.noProducts}</p>` : catalog.products.map((p) => this.renderProduct(p, catalog, offers))}
          ${this.renderForms(catalog)}
        `,
      })}
    `;
  }
}
