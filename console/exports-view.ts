import { LitElement, html, css } from 'lit';
import { Task } from '@lit/task';
import { ApiError, csvUrl } from './api.js';
import { loadCatalog } from './catalog.js';
import { explain, t } from './messages.js';
import { shared } from './shared.styles.js';

/**
 * @summary Exports by product and plan: links to `GET /admin/v1/exports/subscriptions.csv` and
 * `…/redemptions.csv` (plain downloads: the browser sends the session cookie).
 */
export class ExportsView extends LitElement {
  static override styles = [shared, css`:host { display: block; max-width: 44rem; }`];
  static override properties = { _product: { state: true }, _plan: { state: true } };
  declare _product: string;
  declare _plan: string;

  constructor() {
    super();
    this._product = '';
    this._plan = '';
  }

  private task = new Task(this, { task: async (_a, { signal }) => loadCatalog(signal), args: () => [] });

  override render() {
    const query = { product_id: this._product || undefined, plan_id: this._plan || undefined };
    return html`
      <h1>${t.exportsTitle}</h1>
      <p>${t.exportsIntro}</p>
      ${this.task.render({
        pending: () => html`<p role="status">${t.loading}</p>`,
        error: (e) => html`<div class="alert error" role="alert">${explain(e instanceof ApiError ? e : { code: 'network_error', status: 0 })}</div>`,
        complete: (catalog) => html`<div class="card">
          <div class="row">
            <div class="field">
              <label for="export-product">${t.product}</label>
              <select id="export-product" @change=${(e: Event) => {
                this._product = (e.target as HTMLSelectElement).value;
                this._plan = '';
              }}>
                <option value="">${t.anyProduct}</option>
                ${catalog.products.map((p) => html`<option value=${p.id} ?selected=${p.id === this._product}>${p.name}</option>`)}
              </select>
            </div>
            <div class="field">
              <label for="export-plan">${t.plan}</label>
              <select id="export-plan" @change=${(e: Event) => (this._plan = (e.target as HTMLSelectElement).value)}>
                <option value="">${t.anyPlan}</option>
                ${catalog.plans
                  .filter((p) => !this._product || p.product_id === this._product)
                  .map((p) => html`<option value=${p.id} ?selected=${p.id === this._plan}>${catalog.productName(p.product_id)} · ${p.name}</option>`)}
              </select>
            </div>
          </div>
          <div class="actions">
            <a class="button" href=${csvUrl('/exports/subscriptions.csv', query)} download>${t.exportSubscriptions}</a>
            <a class="button" href=${csvUrl('/exports/redemptions.csv', query)} download>${t.exportRedemptions}</a>
          </div>
        </div>`,
      })}
    `;
  }
}
