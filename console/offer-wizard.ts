import { LitElement, html, css, nothing, type TemplateResult } from 'lit';
import { Task } from '@lit/task';
import { ApiError, DURATIONS, admin, type Duration, type Job, type Offer, type Plan, type Tenant } from './api.js';
import { loadCatalog, type Catalog } from './catalog.js';
import { SAMPLE_ELIGIBLE_USERS, csvDataUrl } from './csv.js';
import { announce } from './events.js';
import { NO_PROBLEM, field, fieldId, focusFirstInvalid, formAlert, problemOf, type FieldErrors, type FormProblem } from './fields.js';
import { dayInWords, formatDiscount, formatMoney, todayIn, toMinor } from './format.js';
import { explain, t } from './messages.js';
import { offerLabel } from './offers-table.js';
import { shared } from './shared.styles.js';

/** The wizard's draft: what the person typed, as typed. */
export interface Draft {
  allProducts: boolean;
  productIds: string[];
  durations: Duration[];
  discountType: 'percent' | 'flat';
  percent: string;
  amount: string;
  currency: string;
  codeMode: 'code' | 'code_set';
  code: string;
  count: string;
  prefix: string;
  startsAt: string;
  endsAt: string;
  eligibility: 'all' | 'list';
  discoverability: 'private' | 'public';
  maxRedemptions: string;
  availPerProduct: string;
  availTotal: string;
  subscriptionLimit: string;
}

const LIMITS = [
  { key: 'maxRedemptions', path: 'max_redemptions', label: t.maxRedemptions, help: t.maxRedemptionsHelp },
  { key: 'availPerProduct', path: 'avail_limit_per_product', label: t.availPerProduct, help: t.availPerProductHelp },
  { key: 'availTotal', path: 'avail_limit_total', label: t.availTotal, help: t.availTotalHelp },
  { key: 'subscriptionLimit', path: 'subscription_limit', label: t.subscriptionLimit, help: t.subscriptionLimitHelp },
] as const;

/** The step (0–3) a field of the API belongs to. */
export function stepOfPath(path: string): number {
  if (path.startsWith('applies_to')) return 0;
  if (/^(max_redemptions|avail_limit_per_product|avail_limit_total|subscription_limit)/.test(path)) return 2;
  return 1;
}

export interface LeftOut {
  productId: string;
  name: string;
}

/**
 * The products the API will leave out, computed before confirming from the plans loaded: a
 * selected product with no active plan in any selected duration (or, for a flat discount, none
 * in the discount's currency on fixed pricing).
 */
export function leftOutProducts(draft: Pick<Draft, 'allProducts' | 'productIds' | 'durations' | 'discountType' | 'currency'>, catalog: Catalog): LeftOut[] {
  if (draft.allProducts) return [];
  const durations = new Set(draft.durations);
  return draft.productIds
    .filter((id) => {
      const usable = catalog.plans.filter(
        (p: Plan) =>
          p.product_id === id &&
          p.active &&
          durations.has(p.duration) &&
          (draft.discountType === 'percent' || (p.pricing === 'fixed' && p.currency === draft.currency.trim().toUpperCase())),
      );
      return usable.length === 0;
    })
    .map((id) => ({ productId: id, name: catalog.productName(id) }));
}

const addDays = (day: string, n: number) => {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
};

/**
 * @summary The create-offer wizard in four steps: (1) products and durations, (2) offer details
 * (discount, code or code set, validity, eligibility with the eligible-users CSV and a sample
 * file, discoverability), (3) usage limits explained with examples, (4) review and confirm,
 * warning about each selected product that would be left out. After `POST /admin/v1/offers` it
 * uploads the CSV (`PUT /admin/v1/offers/{id}/eligible-users`) and follows the job.
 * Every problem the API answers is shown on the field it names, on that field's step.
 */
export class OfferWizard extends LitElement {
  static override styles = [
    shared,
    css`
      :host { display: block; max-width: 52rem; }
      ol.steps { display: flex; flex-wrap: wrap; gap: 0.4rem; list-style: none; padding: 0; margin: 0 0 1rem; counter-reset: step; }
      ol.steps li { padding: 0.3rem 0.7rem; border: 1px solid var(--border); border-radius: 999px; font-size: 0.9rem; color: var(--muted); }
      ol.steps li[aria-current='step'] { border-color: var(--accent); color: var(--text); font-weight: 700; }
      .plans-of { display: block; font-size: 0.85rem; color: var(--muted); }
      .example { font-size: 0.9rem; color: var(--muted); }
    `,
  ];

  static override properties = {
    tenant: { attribute: false },
    _step: { state: true },
    _draft: { state: true },
    _file: { state: true },
    _problem: { state: true },
    _busy: { state: true },
    _created: { state: true },
    _job: { state: true },
    _uploadProblem: { state: true },
  };
  declare tenant: Tenant;
  declare _step: number;
  declare _draft: Draft;
  declare _file: File | null;
  declare _problem: FormProblem;
  declare _busy: boolean;
  declare _created: Offer | null;
  declare _job: Job | null;
  declare _uploadProblem: string | null;
  private moveFocus = false;

  private catalogTask = new Task(this, {
    task: async (_args, { signal }) => loadCatalog(signal),
    args: () => [],
  });

  constructor() {
    super();
    this._step = 0;
    this._file = null;
    this._problem = NO_PROBLEM;
    this._busy = false;
    this._created = null;
    this._job = null;
    this._uploadProblem = null;
    this._draft = this.emptyDraft('UTC');
  }

  private emptyDraft(tz: string): Draft {
    const today = todayIn(tz);
    return {
      allProducts: false,
      productIds: [],
      durations: [],
      discountType: 'percent',
      percent: '',
      amount: '',
      currency: '',
      codeMode: 'code',
      code: '',
      count: '',
      prefix: '',
      startsAt: today,
      endsAt: addDays(today, 30),
      eligibility: 'all',
      discoverability: 'private',
      maxRedemptions: '',
      availPerProduct: '',
      availTotal: '',
      subscriptionLimit: '',
    };
  }

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('tenant') && this.tenant && !this._created) {
      const fresh = this.emptyDraft(this.tenant.time_zone);
      if (this._draft.startsAt === this.emptyDraft('UTC').startsAt) this._draft = { ...this._draft, startsAt: fresh.startsAt, endsAt: fresh.endsAt };
    }
  }

  private get tz(): string {
    return this.tenant?.time_zone ?? 'UTC';
  }

  private set<K extends keyof Draft>(key: K, value: Draft[K]): void {
    this._draft = { ...this._draft, [key]: value };
  }

  private onText = (key: keyof Draft) => (e: Event) => this.set(key, (e.target as HTMLInputElement).value as never);

  private toggle(list: 'productIds' | 'durations', value: string, on: boolean): void {
    const current = this._draft[list] as string[];
    const next = on ? [...new Set([...current, value])] : current.filter((v) => v !== value);
    this.set(list, next as never);
    if (list === 'productIds' && on && !this._draft.currency && this.catalogTask.value) {
      const plan = this.catalogTask.value.plans.find((p) => p.product_id === value);
      if (plan) this.set('currency', plan.currency);
    }
  }

  // ---- validation of one step (the API stays the judge at creation) ------------------------

  private check(step: number): FieldErrors {
    const d = this._draft;
    const errors: FieldErrors = {};
    if (step === 0) {
      if (!d.allProducts && d.productIds.length === 0) errors['applies_to.product_ids'] = t.pickOneProduct;
      if (d.durations.length === 0) errors['applies_to.durations'] = t.pickOneDuration;
    }
    if (step === 1) {
      if (d.discountType === 'percent') {
        if (!d.percent.trim()) errors['discount.value'] = t.required;
        else if (!Number.isFinite(Number(d.percent))) errors['discount.value'] = t.mustBeNumber;
      } else {
        if (!d.amount.trim()) errors['discount.amount'] = t.required;
        else if (toMinor(d.amount, d.currency || 'INR') === null) errors['discount.amount'] = t.mustBeNumber;
        if (!d.currency.trim()) errors['discount.currency'] = t.required;
      }
      if (d.codeMode === 'code' && !d.code.trim()) errors['code'] = t.required;
      if (d.codeMode === 'code_set' && !d.count.trim()) errors['code_set.count'] = t.required;
      if (!d.startsAt) errors['starts_at'] = t.required;
      if (!d.endsAt) errors['ends_at'] = t.required;
      if (d.eligibility === 'list' && !this._file) errors['eligible_users'] = t.chooseFile;
    }
    if (step === 2) {
      for (const l of LIMITS) {
        const v = d[l.key].trim();
        if (v && !/^\d+$/.test(v)) errors[l.path] = t.mustBeNumber;
      }
    }
    return errors;
  }

  private async goTo(step: number): Promise<void> {
    if (step > this._step) {
      const errors = this.check(this._step);
      if (Object.keys(errors).length > 0) {
        this._problem = { fields: errors, general: null };
        await focusFirstInvalid(this);
        return;
      }
    }
    this._problem = NO_PROBLEM;
    this._step = step;
    this.moveFocus = true;
  }

  override async updated(): Promise<void> {
    if (!this.moveFocus) return;
    this.moveFocus = false;
    const h = this.renderRoot.querySelector<HTMLElement>('#step-heading');
    h?.focus();
  }

  // ---- creation ------------------------------------------------------------------------------

  private body(): Record<string, unknown> {
    const d = this._draft;
    const int = (s: string) => (s.trim() === '' ? undefined : Number(s));
    const body: Record<string, unknown> = {
      discount:
        d.discountType === 'percent'
          ? { type: 'percent', value: Number(d.percent) }
          : { type: 'flat', amount: toMinor(d.amount, d.currency) ?? Number.NaN, currency: d.currency.trim().toUpperCase() },
      applies_to: d.allProducts ? { all_products: true, durations: d.durations } : { product_ids: d.productIds, durations: d.durations },
      starts_at: d.startsAt,
      ends_at: d.endsAt,
      eligibility: d.eligibility,
      discoverability: d.discoverability,
      max_redemptions: int(d.maxRedemptions),
      avail_limit_per_product: int(d.availPerProduct),
      avail_limit_total: int(d.availTotal),
      subscription_limit: int(d.subscriptionLimit),
    };
    if (d.codeMode === 'code') body.code = d.code.trim();
    else body.code_set = { count: Number(d.count), ...(d.prefix.trim() ? { prefix: d.prefix.trim() } : {}) };
    return body;
  }

  private async create(): Promise<void> {
    this._busy = true;
    this._problem = NO_PROBLEM;
    try {
      const offer = await admin.post<Offer>('/offers', this.body());
      this._created = offer;
      announce(this, t.created(offerLabel(offer)));
      if (offer.job) this._job = offer.job;
      if (this._draft.eligibility === 'list' && this._file) await this.upload(offer.id, this._file);
      this.moveFocus = true;
    } catch (e) {
      const problem = problemOf(e);
      const paths = Object.keys(problem.fields);
      if (paths.length > 0) {
        this._step = Math.min(...paths.map(stepOfPath));
        if (e instanceof ApiError && e.status !== 400) problem.general = explain(e);
      }
      this._problem = problem;
      await focusFirstInvalid(this);
    } finally {
      this._busy = false;
    }
  }

  private async upload(offerId: string, file: File): Promise<void> {
    this._uploadProblem = null;
    try {
      const res = await admin.csv<{ job: Job }>('PUT', `/offers/${encodeURIComponent(offerId)}/eligible-users`, file);
      this._job = res.job;
    } catch (e) {
      this._uploadProblem = problemOf(e).general ?? explain({ code: 'network_error', status: 0 });
    }
  }

  private restart(): void {
    this._created = null;
    this._job = null;
    this._file = null;
    this._uploadProblem = null;
    this._draft = this.emptyDraft(this.tz);
    this._step = 0;
    this.moveFocus = true;
  }

  // ---- rendering -------------------------------------------------------------------------------

  private radio(name: string, value: string, checked: boolean, label: string, onChange: () => void): TemplateResult {
    const id = `${fieldId(name)}-${value}`;
    return html`<div class="check"><input type="radio" id=${id} name=${name} .value=${value} .checked=${checked} @change=${onChange} /><label for=${id}>${label}</label></div>`;
  }

  private groupError(path: string): { id?: string; el: TemplateResult | typeof nothing } {
    const msg = this._problem.fields[path] ?? Object.entries(this._problem.fields).find(([k]) => k.startsWith(`${path}.`))?.[1];
    if (!msg) return { el: nothing };
    const id = `${fieldId(path)}-error`;
    return { id, el: html`<p class="error" id=${id}>${msg}</p>` };
  }

  private stepProducts(catalog: Catalog): TemplateResult {
    const d = this._draft;
    const prodErr = this.groupError('applies_to.product_ids');
    const durErr = this.groupError('applies_to.durations');
    const plansOf = (id: string) =>
      catalog.plans
        .filter((p) => p.product_id === id && p.active)
        .map((p) => t.duration[p.duration])
        .join(', ');
    return html`
      <fieldset aria-describedby=${[`${fieldId('applies_to.product_ids')}-help`, prodErr.id].filter(Boolean).join(' ')}>
        <legend>${t.selectProducts}</legend>
        <span class="help" id=${`${fieldId('applies_to.product_ids')}-help`}>${t.selectProductsHelp}</span>
        ${catalog.products.length === 0 ? html`<p>${t.noProducts} <a href="#/catalog">${t.navCatalog}</a></p>` : nothing}
        ${catalog.products.map((p) => {
          const id = `prod-${p.id}`;
          return html`<div class="check">
            <input type="checkbox" id=${id} name="applies_to.product_ids" .value=${p.id} .checked=${d.productIds.includes(p.id)} ?disabled=${d.allProducts}
              aria-invalid=${prodErr.id ? 'true' : 'false'} aria-describedby=${`${id}-plans`}
              @change=${(e: Event) => this.toggle('productIds', p.id, (e.target as HTMLInputElement).checked)} />
            <span><label for=${id}>${p.name}</label><span class="plans-of" id=${`${id}-plans`}>${t.productPlans(plansOf(p.id))}</span></span>
          </div>`;
        })}
        <div class="check">
          <input type="checkbox" id="all-products" .checked=${d.allProducts} @change=${(e: Event) => this.set('allProducts', (e.target as HTMLInputElement).checked)} />
          <label for="all-products">${t.allProductsOption}</label>
        </div>
        ${prodErr.el}
      </fieldset>
      <fieldset aria-describedby=${[`${fieldId('applies_to.durations')}-help`, durErr.id].filter(Boolean).join(' ')}>
        <legend>${t.selectDurations}</legend>
        <span class="help" id=${`${fieldId('applies_to.durations')}-help`}>${t.selectDurationsHelp}</span>
        ${DURATIONS.map(
          (dur) => html`<div class="check">
            <input type="checkbox" id=${`dur-${dur}`} name="applies_to.durations" .value=${dur} .checked=${d.durations.includes(dur)}
              aria-invalid=${durErr.id ? 'true' : 'false'}
              @change=${(e: Event) => this.toggle('durations', dur, (e.target as HTMLInputElement).checked)} />
            <label for=${`dur-${dur}`}>${t.duration[dur]}</label>
          </div>`,
        )}
        ${durErr.el}
      </fieldset>
    `;
  }

  private stepDetails(): TemplateResult {
    const d = this._draft;
    const errors = this._problem.fields;
    const fileErr = this.groupError('eligible_users');
    return html`
      <fieldset>
        <legend>${t.discountType}</legend>
        ${this.radio('discount.type', 'percent', d.discountType === 'percent', t.percentOff, () => this.set('discountType', 'percent'))}
        ${this.radio('discount.type', 'flat', d.discountType === 'flat', t.flatOff, () => this.set('discountType', 'flat'))}
        ${d.discountType === 'percent'
          ? field({ name: 'discount.value', label: t.percentValue, type: 'number', step: '0.01', min: 0, max: 100, value: d.percent, errors, onInput: this.onText('percent'), inputmode: 'decimal' })
          : html`<div class="row">
              ${field({ name: 'discount.amount', label: t.flatAmount, value: d.amount, errors, onInput: this.onText('amount'), inputmode: 'decimal' })}
              ${field({ name: 'discount.currency', label: t.currency, value: d.currency, errors, onInput: this.onText('currency') })}
            </div>`}
      </fieldset>
      <fieldset>
        <legend>${t.codeMode}</legend>
        ${this.radio('code-mode', 'code', d.codeMode === 'code', t.sharedCode, () => this.set('codeMode', 'code'))}
        ${this.radio('code-mode', 'code_set', d.codeMode === 'code_set', t.codeSet, () => this.set('codeMode', 'code_set'))}
        ${d.codeMode === 'code'
          ? field({ name: 'code', label: t.code, value: d.code, errors, help: t.codeHelp, onInput: this.onText('code'), autocomplete: 'off' })
          : html`<div class="row">
              ${field({ name: 'code_set.count', label: t.codeCount, type: 'number', min: 1, value: d.count, errors, onInput: this.onText('count') })}
              ${field({ name: 'code_set.prefix', label: `${t.codePrefix} ${t.optional}`, value: d.prefix, errors, help: t.codePrefixHelp, onInput: this.onText('prefix') })}
            </div>`}
      </fieldset>
      <fieldset>
        <legend>${t.reviewValidity}</legend>
        <p class="help">${t.datesHelp(this.tz)}</p>
        <div class="row">
          ${field({ name: 'starts_at', label: t.startsAt, type: 'date', value: d.startsAt, errors, onInput: this.onText('startsAt') })}
          ${field({ name: 'ends_at', label: t.endsAt, type: 'date', value: d.endsAt, errors, onInput: this.onText('endsAt') })}
        </div>
      </fieldset>
      <fieldset>
        <legend>${t.eligibility}</legend>
        ${this.radio('eligibility', 'all', d.eligibility === 'all', t.eligibilityAll, () => this.set('eligibility', 'all'))}
        ${this.radio('eligibility', 'list', d.eligibility === 'list', t.eligibilityList, () => this.set('eligibility', 'list'))}
        ${d.eligibility === 'list'
          ? html`<div class="field">
              <label for="eligible-users-file">${t.eligibleUsersFile}</label>
              <input id="eligible-users-file" type="file" accept=".csv,text/csv" aria-invalid=${fileErr.id ? 'true' : 'false'}
                aria-describedby=${['eligible-users-help', fileErr.id].filter(Boolean).join(' ')}
                @change=${(e: Event) => (this._file = (e.target as HTMLInputElement).files?.[0] ?? null)} />
              <span class="help" id="eligible-users-help">${t.eligibleUsersHelp} <a href=${csvDataUrl(SAMPLE_ELIGIBLE_USERS)} download="eligible-users-sample.csv">${t.sampleFile}</a></span>
              ${this._file ? html`<span class="muted">${this._file.name}</span>` : nothing}
              ${fileErr.el}
            </div>`
          : nothing}
        ${this.groupError('eligibility').el}
      </fieldset>
      <fieldset>
        <legend>${t.discoverability}</legend>
        ${this.radio('discoverability', 'private', d.discoverability === 'private', t.discoverPrivate, () => this.set('discoverability', 'private'))}
        ${this.radio('discoverability', 'public', d.discoverability === 'public', t.discoverPublic, () => this.set('discoverability', 'public'))}
        ${this.groupError('discoverability').el}
      </fieldset>
    `;
  }

  private stepLimits(): TemplateResult {
    const d = this._draft;
    return html`
      <p>${t.limitsIntro}</p>
      <p class="example">${t.availNote}</p>
      ${LIMITS.map((l) =>
        field({ name: l.path, label: l.label, type: 'number', min: 1, value: d[l.key], help: l.help, errors: this._problem.fields, onInput: this.onText(l.key), placeholder: t.unlimited }),
      )}
    `;
  }

  private discountText(): string {
    const d = this._draft;
    if (d.discountType === 'percent') return formatDiscount({ type: 'percent', value: Number(d.percent) });
    const minor = toMinor(d.amount, d.currency || 'INR');
    return minor === null ? d.amount : `${formatMoney(minor, d.currency.toUpperCase())} off`;
  }

  private stepReview(catalog: Catalog): TemplateResult {
    const d = this._draft;
    const leftOut = leftOutProducts(d, catalog);
    const noneLeft = !d.allProducts && leftOut.length === d.productIds.length && d.productIds.length > 0;
    const durations = d.durations.map((x) => t.duration[x]).join(', ');
    const limitRows = LIMITS.filter((l) => d[l.key].trim()).map((l) => `${l.label}: ${d[l.key]}`);
    return html`
      <p>${t.reviewTitle}</p>
      ${leftOut.length > 0
        ? html`<div class="alert warn review-warnings" role="alert">
            <strong>${t.warningsTitle}</strong>
            <ul>${leftOut.map((p) => html`<li>${t.leftOutWarning(p.name, durations || '—')}</li>`)}</ul>
            ${noneLeft ? html`<p><strong>${t.noneLeftWarning}</strong></p>` : nothing}
          </div>`
        : nothing}
      <dl class="facts card">
        <dt>${t.reviewProducts}</dt><dd>${d.allProducts ? t.allProducts : d.productIds.map((id) => catalog.productName(id)).join(', ')}</dd>
        <dt>${t.reviewDurations}</dt><dd>${durations}</dd>
        <dt>${t.reviewDiscount}</dt><dd>${this.discountText()}</dd>
        <dt>${t.reviewCode}</dt><dd>${d.codeMode === 'code' ? d.code.toUpperCase() : t.codeSetLabel(Number(d.count) || 0, d.prefix.toUpperCase())}</dd>
        <dt>${t.reviewValidity}</dt><dd>${dayInWords(d.startsAt)} – ${dayInWords(d.endsAt)} (${this.tz})</dd>
        <dt>${t.reviewEligibility}</dt><dd>${d.eligibility === 'all' ? t.eligibilityAll : t.reviewFile(this._file?.name ?? '')}</dd>
        <dt>${t.reviewDiscoverability}</dt><dd>${d.discoverability === 'public' ? t.discoverPublic : t.discoverPrivate}</dd>
        <dt>${t.reviewLimits}</dt><dd>${limitRows.length ? limitRows.join('; ') : t.unlimited}</dd>
      </dl>
      <div class="actions">
        <button class="secondary" type="button" @click=${() => this.goTo(2)}>${t.back}</button>
        <button type="button" class="confirm" ?disabled=${this._busy || noneLeft} @click=${() => this.create()}>${this._busy ? t.creating : t.createConfirm}</button>
      </div>
    `;
  }

  private renderCreated(offer: Offer, catalog: Catalog): TemplateResult {
    return html`
      <h2 id="step-heading" tabindex="-1">${t.created(offerLabel(offer))}</h2>
      ${offer.warnings.length > 0
        ? html`<div class="alert warn" role="status"><strong>${t.serverWarnings}</strong>
            <ul>${offer.warnings.map((w) => html`<li>${catalog.productName(w.product_id)}: ${w.message}</li>`)}</ul></div>`
        : nothing}
      ${this._uploadProblem ? html`<div class="alert error" role="alert">${this._uploadProblem}</div>` : nothing}
      ${this._job ? html`<job-progress job-id=${this._job.id}></job-progress>` : nothing}
      <div class="actions">
        <a class="button" href=${`#/offers/${encodeURIComponent(offer.id)}`}>${t.viewOffer}</a>
        <button class="secondary" @click=${() => this.restart()}>${t.createAnother}</button>
      </div>
    `;
  }

  override render() {
    return html`
      <p><a href="#/offers">${t.backToOffers}</a></p>
      <h1>${t.wizardTitle}</h1>
      ${this.catalogTask.render({
        pending: () => html`<p role="status">${t.loading}</p>`,
        error: (e) => html`<div class="alert error" role="alert">${explain(e instanceof ApiError ? e : { code: 'network_error', status: 0 })}</div>`,
        complete: (catalog) => {
          if (this._created) return this.renderCreated(this._created, catalog);
          const steps = [() => this.stepProducts(catalog), () => this.stepDetails(), () => this.stepLimits(), () => this.stepReview(catalog)];
          return html`
            <nav aria-label=${t.stepsNav}>
              <ol class="steps">
                ${t.steps.map((name, i) => html`<li aria-current=${i === this._step ? 'step' : nothing}>${i + 1}. ${name}</li>`)}
              </ol>
            </nav>
            <section class="card" aria-labelledby="step-heading">
              <h2 id="step-heading" tabindex="-1">${t.stepOf(this._step + 1, 4, t.steps[this._step]!)}</h2>
              ${formAlert(this._problem)}
              <form novalidate @submit=${(e: Event) => {
                e.preventDefault();
                void this.goTo(this._step + 1);
              }}>
                ${steps[this._step]!()}
                ${this._step < 3
                  ? html`<div class="actions">
                      ${this._step > 0 ? html`<button class="secondary" type="button" @click=${() => this.goTo(this._step - 1)}>${t.back}</button>` : nothing}
                      <button type="submit">${t.next}</button>
                    </div>`
                  : nothing}
              </form>
            </section>
          `;
        },
      })}
    `;
  }
}
