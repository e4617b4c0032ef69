import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { Task, TaskStatus, initialState } from '@lit/task';
import { Api, ApiError, isCodeRejection, retryable, type AccessGroup, type Plan, type PublicOffer, type Quote, type Subscription } from './api.js';
import { emit, type ErrorEventDetail } from './events.js';
import { Format, catalogueFor, resolveLocale } from './format.js';
import { styles } from './offer-checkout.styles.js';
import { planPicker } from './parts/plan-picker.js';
import { offerList } from './parts/offer-list.js';
import { codeField, message, type Message } from './parts/code-field.js';
import { priceSummary } from './parts/price-summary.js';

export type {
  QuoteEventDetail,
  SubscribedEventDetail,
  PaymentRequiredEventDetail,
  ErrorEventDetail,
  OfferCheckoutEventMap,
} from './events.js';

/** The API base when `api-base` is not set: the origin this script was loaded from. */
const SCRIPT_ORIGIN = new URL(import.meta.url).origin;

/** The quote shown for a plan and the code it was asked with. */
interface Priced {
  plan: string;
  code: string | null;
  quote: Quote;
}

/** What the widget finished with: a subscription made here, or one the caller already had. */
interface Outcome {
  sub: Subscription;
  plan: Plan | null;
  quote: Quote | null;
  group: AccessGroup | null;
  existing: boolean;
}

const asError = (e: unknown): ApiError => (e instanceof ApiError ? e : new ApiError(0, 'network_error', e instanceof Error ? e.message : null));

/** An Idempotency-Key (`randomUUID` needs a secure context; elsewhere a random string is unique enough for this). */
const newKey = (): string => crypto.randomUUID?.() ?? `${Date.now()}-${Math.random().toString(36).slice(2)}`;

/** The quote of a plan without a code: its price, nothing off. */
const fullPrice = (p: Plan): Quote => ({ plan_id: p.id, price: p.price, discount: 0, amount_due: p.price, currency: p.currency, discounted_cycles: 0 });

const live = (s: Subscription) => s.status === 'active' || s.status === 'grace' || (s.status === 'pending' && Date.parse(s.hold_expires_at ?? '') > Date.now());

/**
 * @summary A subscription checkout for one product: plans, the offers meant for this user, a
 * promo code box, the price with its discount and terms, and a Subscribe button. A subscription
 * the user already has is shown instead of the form; when the caller's organisation grants
 * access (IP range or verified email domain), that is offered first. Words in English or Hindi.
 *
 * @attr publishable-key - The publisher's `pk_…` key (required).
 * @attr product-id - The product whose plans are sold (required).
 * @attr user-token - The signed-in user's token (HS256 JWT). Without it the user can browse and quote, not subscribe.
 * @attr api-base - The API's origin; defaults to the origin this script was loaded from.
 * @attr plan-id - The plan selected at first.
 * @attr lang - The language of the words (`en`, `hi`); defaults to the closest `lang` on the page, then English.
 * @attr locale - BCP 47 locale for money, counts and dates; defaults to the language above, then the browser's.
 *
 * @slot header - Above the checkout (a title, the publisher's logo).
 * @slot footer - Below the checkout (terms, a help link).
 *
 * @event offer-checkout:quote - The price shown changed after the user picked a plan, an offer or applied a code. `detail`: {planId, code, price, discount, amountDue, currency, discountedCycles, offer, formatted, quote}.
 * @event offer-checkout:payment-required - A checkout is pending: the page takes the payment before `hold_expires_at`. `detail`: {subscription_id, amount_due, currency, hold_expires_at}.
 * @event offer-checkout:subscribed - An active subscription was created. `detail`: {subscription, planId, code, via: 'checkout'|'group', groupId}.
 * @event offer-checkout:error - A request was refused or failed. `detail`: {action, status, code, message, detail}.
 *
 * @csspart base - The card around everything.
 * @csspart loading - The loading indicator.
 * @csspart problem - The message shown when the checkout cannot load (with a retry button only when retrying can help).
 * @csspart retry-button - The retry button.
 * @csspart group-access - The "Your organisation gives you access" box.
 * @csspart claim-button - The button that claims group access.
 * @csspart group-message - Why claiming failed.
 * @csspart plans - The plan radio group.
 * @csspart plan - One plan choice.
 * @csspart offers - The offer radio group.
 * @csspart offer - One offer choice.
 * @csspart code-form - The promo code form.
 * @csspart code-input - The promo code text box.
 * @csspart apply-button - The button that applies the code.
 * @csspart code-message - The result of the code (applied, or why not).
 * @csspart remove-code-button - The button that removes an applied code.
 * @csspart summary - The price, discount, amount due and terms.
 * @csspart subscribe-button - The Subscribe button.
 * @csspart action-message - The sign-in note, or why subscribing failed.
 * @csspart success - The confirmation after subscribing.
 * @csspart existing - The subscription the user already has, shown instead of the form.
 * @csspart payment - The "payment awaited" state of a pending checkout.
 *
 * @cssproperty --offer-checkout-font-family - Font of the widget (default: system-ui).
 * @cssproperty --offer-checkout-font-size - Base font size (default: 1rem).
 * @cssproperty --offer-checkout-background - Card background.
 * @cssproperty --offer-checkout-color - Text colour.
 * @cssproperty --offer-checkout-muted-color - Secondary text colour.
 * @cssproperty --offer-checkout-border-color - Borders of the card, choices and fields.
 * @cssproperty --offer-checkout-accent-color - Buttons, the selected choice, radio buttons.
 * @cssproperty --offer-checkout-accent-text-color - Text on the accent colour.
 * @cssproperty --offer-checkout-selected-background - Background of the selected choice.
 * @cssproperty --offer-checkout-success-color - Applied codes, group access, confirmation.
 * @cssproperty --offer-checkout-danger-color - Refusals and errors.
 * @cssproperty --offer-checkout-focus-ring-color - The keyboard focus ring.
 * @cssproperty --offer-checkout-radius - Corner radius.
 * @cssproperty --offer-checkout-spacing - Space between sections and inside the card.
 * @cssproperty --offer-checkout-max-width - Maximum width of the card (default: 32rem).
 */
export class OfferCheckout extends LitElement {
  static override styles = styles;

  static override properties = {
    publishableKey: { attribute: 'publishable-key' },
    productId: { attribute: 'product-id' },
    userToken: { attribute: 'user-token' },
    apiBase: { attribute: 'api-base' },
    planId: { attribute: 'plan-id' },
    locale: {},
    // Observes the element's own `lang` attribute without replacing the native `lang` property.
    _lang: { attribute: 'lang' },
    _plan: { state: true },
    _wanted: { state: true },
    _draft: { state: true },
    _codeMsg: { state: true },
    _actionMsg: { state: true },
    _groupMsg: { state: true },
    _done: { state: true },
    _say: { state: true },
  };

  declare publishableKey: string | null;
  declare productId: string | null;
  declare userToken: string | null;
  declare apiBase: string | null;
  declare planId: string | null;
  declare locale: string | null;
  declare private _lang: string | null;
  /** The plan chosen by the user (else `plan-id`, else the first). */
  declare private _plan: string | null;
  /** The code the user wants on the quote; it becomes the applied code once the API accepts it. */
  declare private _wanted: string | null;
  declare private _draft: string;
  declare private _codeMsg: Message;
  declare private _actionMsg: Message;
  declare private _groupMsg: Message;
  declare private _done: Outcome | null;
  /** The live region's sentence. */
  declare private _say: string;

  /** The last accepted quote: a refused code never replaces it. */
  private _priced: Priced | null = null;
  private _client: [string, Api] | null = null;
  private _key: string | null = null;
  private _userChange = false;
  private _holdTimer = 0;
  private _aborted: Task<any, any>[] = [];

  constructor() {
    super();
    this._plan = this._wanted = this._codeMsg = this._actionMsg = this._groupMsg = this._done = null;
    this._draft = this._say = '';
  }

  // -------------------------------------------------------------------------------------------
  // Controllers: each runs when its inputs change, and aborts the run it replaces (or all of
  // them when the element leaves the page).
  // -------------------------------------------------------------------------------------------

  /** The product's active plans, and the groups whose access this caller qualifies for. */
  private _plansTask = new Task(this, {
    args: () => [this._api(), this.productId] as const,
    task: ([api, productId], { signal }) => {
      if (!api || !productId) throw new ApiError(-1, 'missing');
      return Promise.all([api.plans(productId, signal), soft(api.access(signal), signal, [] as AccessGroup[])]);
    },
    onError: (e) => this._fail('load', e),
  });

  /** The subscriptions the signed-in caller already has on this product (none when anonymous). */
  private _mineTask = new Task(this, {
    args: () => [this._api(), this.productId, this.userToken] as const,
    task: ([api, productId, token], { signal }) =>
      api && productId && token ? soft(api.mine(productId, signal), signal, [] as Subscription[]) : ([] as Subscription[]),
    onComplete: (subs) => this._watchHold(subs.find(live)),
  });

  private _offersTask = new Task(this, {
    args: () => [this._api(), this.productId, this.plan?.id] as const,
    task: ([api, productId, plan], { signal }) =>
      api && productId && plan ? soft(api.offers(productId, plan, signal), signal, [] as PublicOffer[]) : ([] as PublicOffer[]),
  });

  private _quoteTask = new Task(this, {
    args: () => [this._api(), this.plan, this._wanted] as const,
    task: async ([api, plan, code], { signal }): Promise<Priced | typeof initialState> => {
      if (!api || !plan) return initialState;
      const p = this._priced;
      if (p && p.plan === plan.id && p.code === code) return p;
      return { plan: plan.id, code, quote: code ? await api.quote(plan.id, code, signal) : fullPrice(plan) };
    },
    onComplete: (r) => this._quoted(r as Priced),
    onError: (e) => this._refused(e),
  });

  private _checkoutTask = new Task(this, {
    autoRun: false,
    task: ([api, plan, code, key]: [Api, Plan, string | null, string], { signal }) => api.subscribe(plan.id, code, key, signal),
    onComplete: (sub) => this._subscribed(sub, null),
    onError: (e) => {
      const err = asError(e);
      if ((e as Error)?.name === 'AbortError') return;
      const text = this._fail('subscribe', err);
      // A refused attempt is over: the next click is a new attempt. After a network failure or a
      // 5xx the outcome is unknown, so a retry keeps the key and cannot subscribe twice.
      if (!retryable(err)) this._key = null;
      if (isCodeRejection(err) && this._wanted) {
        this._codeMsg = { ok: false, text: this.f.t.notApplied(this._wanted, text) };
        this._wanted = null;
      }
      this._actionMsg = { ok: false, text };
    },
  });

  private _claimTask = new Task(this, {
    autoRun: false,
    task: ([api, group]: [Api, AccessGroup], { signal }) => api.claim(group.id, signal).then((sub) => ({ sub, group })),
    onComplete: ({ sub, group }) => this._subscribed(sub, group),
    onError: (e) => {
      if ((e as Error)?.name !== 'AbortError') this._groupMsg = { ok: false, text: this._fail('claim', asError(e)) };
    },
  });

  private get _tasks(): Task<any, any>[] {
    return [this._plansTask, this._mineTask, this._offersTask, this._quoteTask, this._checkoutTask, this._claimTask];
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this._holdTimer);
    // Nothing late: every request in flight is aborted; the reads run again if the element comes back.
    this._aborted = this._tasks.filter((t) => t.status === TaskStatus.PENDING);
    for (const t of this._aborted) t.abort();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    for (const t of this._aborted.splice(0)) if (t.autoRun) void t.run();
    this._watchHold();
  }

  /** Off the page, nothing renders (a request answered after removal changes nothing). */
  protected override shouldUpdate(): boolean {
    return this.isConnected;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    const c = changed as Map<string, unknown>;
    if (['publishableKey', 'productId', 'userToken', 'apiBase'].some((k) => c.has(k))) {
      this._priced = this._done = this._wanted = this._codeMsg = this._actionMsg = this._key = null;
    }
    if (c.has('planId') && this.planId) this._plan = this.planId;
  }


  // -------------------------------------------------------------------------------------------
  // Public API
  // -------------------------------------------------------------------------------------------

  /** The subscription made in this widget or found for this user, if any. */
  get subscription(): Subscription | null {
    return this._done?.sub ?? this._mineTask.value?.find(live) ?? null;
  }

  /** Reads plans, offers, group access and the user's subscriptions again (e.g. after the page took a payment). */
  async reload(): Promise<void> {
    this._done = this._priced = null;
    await Promise.all([this._plansTask.run(), this._mineTask.run()]);
  }

  // -------------------------------------------------------------------------------------------
  // State
  // -------------------------------------------------------------------------------------------

  private _api(): Api | null {
    if (!this.publishableKey) return null;
    const id = `${this.apiBase}|${this.publishableKey}|${this.userToken}`;
    if (this._client?.[0] !== id) this._client = [id, new Api(this.apiBase || SCRIPT_ORIGIN, this.publishableKey, this.userToken || null)];
    return this._client[1];
  }

  /** Words and numbers in the language of `lang` (the element's or the page's), Intl in `locale`. */
  get f(): Format {
    const lang = this._lang || this.closest('[lang]')?.getAttribute('lang') || document.documentElement.lang;
    const locale = resolveLocale(this.locale, lang, navigator.language);
    const key = `${lang}|${locale}`;
    if (this._format?.[0] !== key) this._format = [key, new Format(locale, catalogueFor(lang))];
    return this._format[1];
  }
  private _format: [string, Format] | null = null;

  private get plan(): Plan | undefined {
    const plans = this._plansTask.value?.[0] ?? [];
    return plans.find((p) => p.id === this._plan) ?? plans.find((p) => p.id === this.planId) ?? plans[0];
  }

  /** The accepted quote of the chosen plan. */
  private get _shown(): Priced | null {
    const p = this._priced;
    return p && p.plan === this.plan?.id ? p : null;
  }

  private _fail(action: ErrorEventDetail['action'], e: unknown): string {
    const err = asError(e);
    const text = this.f.error(err.code, err.status);
    if (err.code !== 'missing') emit(this, 'offer-checkout:error', { action, status: err.status, code: err.code, message: text, detail: err.detail });
    this._say = text;
    return text;
  }

  private _quoted(r: Priced): void {
    const before = this._priced;
    this._priced = r;
    const plan = this.plan!;
    const f = this.f;
    if (r.code && before?.code !== r.code) {
      const off = r.quote.offer?.discount ? f.discount(r.quote.offer.discount, r.quote.price) : f.t.off(f.money(r.quote.discount, r.quote.currency));
      this._codeMsg = { ok: true, text: f.t.applied(r.code, off) };
    }
    if (before?.code === r.code && before.plan === r.plan) return; // a refused code fell back: its message stays
    this._say = `${r.code ? this._codeMsg?.text + ' ' : ''}${plan.name}: ${this._termsOf(plan, r.quote)}`;
    if (this._userChange) {
      this._userChange = false;
      const q = r.quote;
      emit(this, 'offer-checkout:quote', {
        planId: q.plan_id,
        code: r.code,
        price: q.price,
        discount: q.discount,
        amountDue: q.amount_due,
        currency: q.currency,
        discountedCycles: q.discounted_cycles,
        offer: q.offer ?? null,
        formatted: { price: f.money(q.price, q.currency), discount: f.money(q.discount, q.currency), amountDue: f.money(q.amount_due, q.currency) },
        quote: q,
      });
    }
  }

  private _termsOf(plan: Plan, q: Quote): string {
    return q.discount > 0 ? this.f.terms(plan, q.amount_due, q.discounted_cycles) : this.f.perPeriod(q.amount_due, q.currency, plan.duration);
  }

  /** A code the API refused: the code applied before stays, and the message says why. */
  private _refused(e: unknown): void {
    if ((e as Error)?.name === 'AbortError') return;
    const code = this._wanted;
    const text = this._fail('quote', e);
    const keep = this._shown?.code ?? null;
    if (code) {
      this._codeMsg = { ok: false, text: this.f.t.notApplied(code, text) };
      this._say = this._codeMsg.text;
    } else this._actionMsg = { ok: false, text };
    this._userChange = false;
    this._wanted = keep === code ? null : keep;
  }

  private _select(plan: string): void {
    this._plan = plan;
    this._key = null;
    this._actionMsg = null;
    this._userChange = true;
  }

  private _apply(code: string | null): void {
    if (!code) this._codeMsg = null;
    this._wanted = code;
    this._key = null;
    this._actionMsg = null;
    this._userChange = true;
    if (code === this._shown?.code) this._userChange = false;
  }

  private _subscribe(): void {
    const api = this._api();
    const plan = this.plan;
    if (!api || !plan || this._checkoutTask.status === TaskStatus.PENDING || this._quoteTask.status === TaskStatus.PENDING) return;
    this._actionMsg = null;
    this._key ??= newKey();
    void this._checkoutTask.run([api, plan, this._shown?.code ?? null, this._key]);
  }

  private _claim(group: AccessGroup): void {
    const api = this._api();
    if (!api || this._claimTask.status === TaskStatus.PENDING) return;
    this._groupMsg = null;
    void this._claimTask.run([api, group]);
  }

  private _subscribed(sub: Subscription, group: AccessGroup | null): void {
    this._key = null;
    const plan = (this._plansTask.value?.[0] ?? []).find((p) => p.id === sub.plan_id) ?? (group ? null : (this.plan ?? null));
    const code = group ? null : (this._shown?.code ?? null);
    this._done = { sub, plan, group, quote: group ? null : (this._shown?.quote ?? null), existing: false };
    // Focus moves to the confirmation (or the payment notice) once it is rendered.
    void this.updateComplete.then(() => (this.renderRoot.querySelector('[tabindex="-1"]') as HTMLElement | null)?.focus());
    const f = this.f;
    if (sub.status === 'pending') {
      this._say = f.t.awaiting(plan?.name ?? f.t.yourPlan, f.money(sub.amount_due, sub.currency), f.date(sub.hold_expires_at, true));
      emit(this, 'offer-checkout:payment-required', {
        subscription_id: sub.id,
        amount_due: sub.amount_due,
        currency: sub.currency,
        hold_expires_at: sub.hold_expires_at,
      });
      this._watchHold();
      return;
    }
    this._say = group ? f.t.viaGroup(group.name) : f.t.subscribed(plan?.name ?? f.t.yourPlan);
    emit(this, 'offer-checkout:subscribed', { subscription: sub, planId: sub.plan_id, code, via: group ? 'group' : 'checkout', groupId: group?.id ?? null });
  }

  /** Re-renders once a pending checkout's hold has expired. */
  private _watchHold(sub = this.subscription): void {
    clearTimeout(this._holdTimer);
    const at = Date.parse(sub?.hold_expires_at ?? '');
    if (sub?.status === 'pending' && at > Date.now()) {
      this._holdTimer = window.setTimeout(() => this.requestUpdate(), Math.min(at - Date.now() + 50, 2 ** 31 - 1));
    }
  }

  // -------------------------------------------------------------------------------------------
  // Rendering
  // -------------------------------------------------------------------------------------------

  protected override render(): TemplateResult {
    const f = this.f;
    return html`<div class="base" part="base" aria-busy=${this._ready ? 'false' : 'true'}>
      <slot name="header"></slot>
      ${this._body(f)}
      <slot name="footer"></slot>
      <div class="sr-only" role="status" aria-live="polite" aria-atomic="true">${this._say}</div>
    </div>`;
  }

  private get _ready(): boolean {
    return [this._plansTask, this._mineTask].every((t) => t.status === TaskStatus.COMPLETE);
  }

  private _body(f: Format): TemplateResult | typeof nothing {
    const failed = this._plansTask.status === TaskStatus.ERROR ? (this._plansTask.error as Error) : null;
    if (failed && failed.name !== 'AbortError') return this._problem(f, asError(failed));
    if (!this._ready) return html`<p part="loading" class="muted">${f.t.loading}</p>`;
    const [plans, groups] = this._plansTask.value!;
    if (plans.length === 0) return this._problem(f, new ApiError(404, 'no_plans'));
    if (this._done) return this._outcome(f, this._done);
    const existing = this._mineTask.value!.find(live);
    if (existing) return this._outcome(f, { sub: existing, plan: plans.find((p) => p.id === existing.plan_id) ?? null, quote: null, group: null, existing: true });
    const plan = this.plan!;
    const shown = this._shown;
    const busy = this._quoteTask.status === TaskStatus.PENDING || this._checkoutTask.status === TaskStatus.PENDING;
    return html`${this._groups(f, groups)}${planPicker(f, plans, plan.id, (id) => this._select(id))}
    ${offerList(f, plan, this._offersTask.value ?? [], this._wanted, (code) => {
      this._draft = code ?? '';
      this._apply(code);
    })}
    ${codeField(f, this._draft, this._codeMsg, shown?.code ?? null, {
      input: (v) => (this._draft = v),
      apply: () => {
        const code = this._draft.trim().toUpperCase();
        if (code) this._apply(code);
        else this._say = (this._codeMsg = { ok: false, text: f.error('code_invalid_format', 422) }).text;
      },
      remove: () => this._apply(null),
    })}
    ${shown ? priceSummary(f, plan, shown.quote, shown.code, this._quoteTask.status === TaskStatus.PENDING) : nothing}
    <div class="act">
      <button
        type="button"
        class="primary"
        part="subscribe-button"
        aria-disabled=${busy ? 'true' : 'false'}
        aria-describedby="action-message"
        @click=${() => this._subscribe()}
      >
        ${shown ? (shown.quote.amount_due === 0 ? f.t.subscribeFree : f.t.subscribeFor(f.money(shown.quote.amount_due, shown.quote.currency))) : f.t.subscribe}
      </button>
      ${message(this._actionMsg ?? (this.userToken ? null : { ok: false, text: f.t.signIn }), 'action-message')}
    </div>`;
  }

  private _problem(f: Format, e: ApiError): TemplateResult {
    return html`<div class="problem" part="problem">
      <p class="error">${f.error(e.code, e.status)}</p>
      ${retryable(e) ? html`<button type="button" part="retry-button" @click=${() => this.reload()}>${f.t.tryAgain}</button>` : nothing}
    </div>`;
  }

  private _groups(f: Format, groups: AccessGroup[]): TemplateResult | typeof nothing {
    if (groups.length === 0) return nothing;
    return html`<div class="group" part="group-access" role="group" aria-labelledby="group-title">
        <p class="title" id="group-title">${f.t.groupTitle}</p>
        ${groups.map(
          (g) =>
            html`<p>${f.t.groupCovers(g.name)}</p>
              <button
                type="button"
                class="primary"
                part="claim-button"
                aria-disabled=${this._claimTask.status === TaskStatus.PENDING ? 'true' : 'false'}
                aria-describedby="group-message"
                @click=${() => this._claim(g)}
              >
                ${f.t.claim(g.name)}
              </button>`,
        )}
        ${message(this._groupMsg, 'group-message')}
      </div>`;
  }

  /** A subscription made here or found: active, or pending with its payment awaited until the hold expires. */
  private _outcome(f: Format, o: Outcome): TemplateResult {
    const { sub, plan } = o;
    const name = plan?.name ?? f.t.yourPlan;
    if (sub.status === 'pending') {
      const expired = Date.parse(sub.hold_expires_at ?? '') <= Date.now();
      return html`<div class="success" part="payment" tabindex="-1">
        <p class="title">${f.t.awaitingTitle}</p>
        <p>${expired ? f.t.holdExpired : f.t.awaiting(name, f.money(sub.amount_due, sub.currency), f.date(sub.hold_expires_at, true))}</p>
        ${expired ? html`<button type="button" part="retry-button" @click=${() => this.reload()}>${f.t.tryAgain}</button>` : nothing}
      </div>`;
    }
    const q = o.quote;
    const cycles = q?.discounted_cycles;
    const full = plan ? f.perPeriod(sub.price, sub.currency, plan.duration) : f.money(sub.price, sub.currency);
    return html`<div class="success" part=${o.existing ? 'existing' : 'success'} tabindex="-1">
      <p class="title ok">${o.group ? f.t.viaGroup(o.group.name) : o.existing ? f.t.already(name) : f.t.subscribed(name)}</p>
      ${q && sub.code && sub.discount > 0 && plan
        ? html`<p>
            ${f.t.saved(sub.code, f.money(sub.discount, sub.currency), cycles === null ? null : f.cyclesSpan(plan.duration, cycles ?? 1))}
          </p>`
        : nothing}
      ${o.group || o.existing ? nothing : html`<p>${f.t.dueNow}: ${f.money(sub.amount_due, sub.currency)}</p>`}
      ${q && sub.code && sub.discount > 0 && cycles !== null ? html`<p>${f.t.after(full)}</p>` : nothing}
    </div>`;
  }
}

/** A read whose failure is not the user's business (offers, access, own subscriptions): a fallback, unless aborted. */
function soft<T>(p: Promise<T>, signal: AbortSignal, fallback: T): Promise<T> {
  return p.catch((e) => {
    if (signal.aborted) throw e;
    return fallback;
  });
}

if (!customElements.get('offer-checkout')) customElements.define('offer-checkout', OfferCheckout);

declare global {
  interface HTMLElementTagNameMap {
    'offer-checkout': OfferCheckout;
  }
}
