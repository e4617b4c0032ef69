import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { Api, ApiError, type AccessGroup, type Offer, type Plan, type Quote, type Subscription } from './api.js';
import { emit, type ErrorEventDetail } from './events.js';
import { explain } from './messages.js';
import { formatDate, formatDiscount, formatPeriod, formatMoney, resolveLocale } from './format.js';
import { styles } from './offer-checkout.styles.js';

export type { QuoteEventDetail, SubscribedEventDetail, ErrorEventDetail, OfferCheckoutEventMap } from './events.js';

/** The API base when `api-base` is not set: the origin this script was loaded from. */
const SCRIPT_ORIGIN = new URL(import.meta.url).origin;

type Phase = 'loading' | 'ready' | 'failed' | 'subscribed';
type Message = { kind: 'ok' | 'error'; text: string } | null;

function toApiError(e: unknown): ApiError {
  return e instanceof ApiError ? e : new ApiError(0, 'network_error', e instanceof Error ? e.message : undefined);
}

function idempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The quote of a plan without a code: its price, nothing off. */
function fullPrice(plan: Plan): Quote {
  return { plan_id: plan.id, price: plan.price, discount: 0, amount_due: plan.price, currency: plan.currency, discounted_cycles: 0, offer: null };
}

/** Refusals of a code: the user may fix them by typing another code or picking another plan. */
const CODE_REFUSALS = new Set([
  'code_not_found',
  'code_invalid_format',
  'offer_not_started',
  'offer_expired',
  'not_eligible',
  'not_applicable',
  'avail_limit_reached',
  'redemptions_exhausted',
]);

/**
 * @summary A subscription checkout for one product: plans, the offers meant for this user, a
 * promo code box, the price with its discount, and a Subscribe button. When the caller's
 * organisation grants access (IP range or verified email domain), that is offered first.
 *
 * @attr publishable-key - The publisher's `pk_…` key (required).
 * @attr product-id - The product whose plans are sold (required).
 * @attr user-token - The signed-in user's token (HS256 JWT). Without it the user can browse and quote, not subscribe.
 * @attr api-base - The API's origin; defaults to the origin this script was loaded from.
 * @attr plan-id - The plan selected at first.
 * @attr locale - BCP 47 locale for money and dates; defaults to the closest `lang` attribute, then the browser's.
 *
 * @event offer-checkout:quote - The price shown changed after the user picked a plan, an offer or applied a code. `detail`: {planId, code, price, discount, amountDue, currency, discountedCycles, offer, formatted, quote}.
 * @event offer-checkout:subscribed - The subscription was created. `detail`: {subscription, planId, code, via: 'checkout'|'group', groupId}.
 * @event offer-checkout:error - A request was refused or failed. `detail`: {action, status, code, message, detail}.
 *
 * @csspart base - The card around everything.
 * @csspart loading - The loading indicator.
 * @csspart problem - The message shown when the checkout cannot load, with its retry button.
 * @csspart retry-button - The retry button.
 * @csspart group-access - The "Your organisation gives you access" box.
 * @csspart claim-button - The button that claims group access.
 * @csspart plans - The plan radio group.
 * @csspart plan - One plan choice.
 * @csspart offers - The offer radio group.
 * @csspart offer - One offer choice.
 * @csspart code-form - The promo code form.
 * @csspart code-input - The promo code text box.
 * @csspart apply-button - The button that applies the code.
 * @csspart code-message - The result of the code (applied, or why not).
 * @csspart remove-code-button - The button that removes an applied code.
 * @csspart summary - The price, discount, amount due and discounted cycles.
 * @csspart subscribe-button - The Subscribe button.
 * @csspart action-message - Why subscribing failed.
 * @csspart success - The confirmation after subscribing.
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
    publishableKey: { type: String, attribute: 'publishable-key' },
    productId: { type: String, attribute: 'product-id' },
    userToken: { type: String, attribute: 'user-token' },
    apiBase: { type: String, attribute: 'api-base' },
    planId: { type: String, attribute: 'plan-id' },
    locale: { type: String },
    _phase: { state: true },
    _plans: { state: true },
    _offers: { state: true },
    _groups: { state: true },
    _planSel: { state: true },
    _codeDraft: { state: true },
    _code: { state: true },
    _quote: { state: true },
    _quoting: { state: true },
    _codeMessage: { state: true },
    _actionMessage: { state: true },
    _groupMessage: { state: true },
    _loadError: { state: true },
    _busy: { state: true },
    _announcement: { state: true },
    _subscription: { state: true },
    _subscribedVia: { state: true },
  };

  declare publishableKey: string | null;
  declare productId: string | null;
  declare userToken: string | null;
  declare apiBase: string | null;
  declare planId: string | null;
  declare locale: string | null;

  declare private _phase: Phase;
  declare private _plans: Plan[];
  declare private _offers: Offer[];
  declare private _groups: AccessGroup[];
  declare private _planSel: string | null;
  declare private _codeDraft: string;
  /** The code applied to the quote (typed, or from a listed offer), upper-case. */
  declare private _code: string | null;
  declare private _quote: Quote | null;
  declare private _quoting: boolean;
  declare private _codeMessage: Message;
  declare private _actionMessage: Message;
  declare private _groupMessage: Message;
  declare private _loadError: string | null;
  declare private _busy: 'subscribe' | 'claim' | null;
  declare private _announcement: string;
  declare private _subscription: Subscription | null;
  declare private _subscribedVia: { via: 'checkout' | 'group'; group: AccessGroup | null; plan: Plan | null } | null;

  private loadSeq = 0;
  private quoteSeq = 0;
  private loaded = false;
  private pendingKey: string | null = null;

  constructor() {
    super();
    this._phase = 'loading';
    this._plans = [];
    this._offers = [];
    this._groups = [];
    this._planSel = null;
    this._codeDraft = '';
    this._code = null;
    this._quote = null;
    this._quoting = false;
    this._codeMessage = null;
    this._actionMessage = null;
    this._groupMessage = null;
    this._loadError = null;
    this._busy = null;
    this._announcement = '';
    this._subscription = null;
    this._subscribedVia = null;
  }

  /** The quote shown now (null while loading). Read-only. */
  get quote(): Quote | null {
    return this._quote;
  }

  /** The subscription created in this widget, if any. Read-only. */
  get subscription(): Subscription | null {
    return this._subscription;
  }

  /** Loads plans, offers and group access again. */
  reload(): Promise<void> {
    return this.load();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    const inputs = ['publishableKey', 'productId', 'userToken', 'apiBase'] as const;
    if (!this.loaded || inputs.some((k) => changed.has(k))) {
      void this.load();
    } else if (changed.has('planId') && this.planId && this._phase === 'ready' && this._plans.some((p) => p.id === this.planId)) {
      void this.selectPlan(this.planId, false);
    }
  }

  protected override updated(changed: PropertyValues<this>): void {
    if ((changed as Map<string, unknown>).has('_phase') && this._phase === 'subscribed') {
      (this.renderRoot.querySelector('.success') as HTMLElement | null)?.focus();
    }
  }

  private get uiLocale(): string {
    return resolveLocale(this.locale || this.closest('[lang]')?.getAttribute('lang') || null);
  }

  private api(): Api {
    return new Api(this.apiBase || SCRIPT_ORIGIN, this.publishableKey ?? '', this.userToken || null);
  }

  private money(minor: number, currency: string): string {
    return formatMoney(minor, currency, this.uiLocale);
  }

  private get plan(): Plan | null {
    return this._plans.find((p) => p.id === this._planSel) ?? null;
  }

  private fail(action: ErrorEventDetail['action'], error: ApiError): string {
    const message = explain(error.code, error.status);
    emit(this, 'offer-checkout:error', { action, status: error.status, code: error.code, message, detail: error.detail ?? null });
    return message;
  }

  // ------------------------------------------------------------------------------------------
  // Data flow
  // ------------------------------------------------------------------------------------------

  private async load(): Promise<void> {
    this.loaded = true;
    const seq = ++this.loadSeq;
    this.quoteSeq++;
    Object.assign(this, {
      _phase: 'loading',
      _quote: null,
      _code: null,
      _codeMessage: null,
      _actionMessage: null,
      _groupMessage: null,
      _subscription: null,
      _subscribedVia: null,
      _busy: null,
    });
    if (!this.publishableKey || !this.productId) {
      this._loadError = 'This checkout is missing its publishable-key or product-id attribute.';
      this._phase = 'failed';
      this._announcement = this._loadError;
      return;
    }
    const api = this.api();
    try {
      const [plans, groups] = await Promise.all([
        api.plans(this.productId),
        api.access().catch(() => [] as AccessGroup[]),
      ]);
      if (seq !== this.loadSeq) return;
      if (plans.length === 0) throw new ApiError(404, 'no_plans', 'No active plan');
      this._plans = plans;
      this._groups = groups;
      this._phase = 'ready';
      const first = plans.find((p) => p.id === this.planId) ?? plans[0]!;
      this._announcement = groups.length > 0 ? 'Your organisation gives you access. Plans loaded.' : 'Plans loaded.';
      await this.selectPlan(first.id, false);
    } catch (e) {
      if (seq !== this.loadSeq) return;
      const error = toApiError(e);
      this._loadError =
        error.code === 'no_plans' ? 'No plan of this product is on sale right now.' : this.fail('load', error);
      this._phase = 'failed';
      this._announcement = this._loadError;
    }
  }

  private async selectPlan(planId: string, byUser: boolean): Promise<void> {
    this._planSel = planId;
    this.pendingKey = null;
    this._actionMessage = null;
    const productId = this.productId!;
    const offers = this.api()
      .offers(productId, planId)
      .catch(() => [] as Offer[])
      .then((list) => {
        if (this._planSel === planId) this._offers = list;
      });
    await Promise.all([offers, this.requote(byUser)]);
  }

  /** Quotes the selected plan with the applied code; a refused code falls back to the full price. */
  private async requote(byUser: boolean): Promise<void> {
    const plan = this.plan;
    if (!plan) return;
    const seq = ++this.quoteSeq;
    const code = this._code;
    this._quoting = true;
    try {
      // Without a code nothing is discounted: the plan's price is the quote (one round trip saved).
      const quote = code ? await this.api().quote(plan.id, code) : fullPrice(plan);
      if (seq !== this.quoteSeq) return;
      this._quote = quote;
      this._codeMessage = code
        ? {
            kind: 'ok',
            text: `Code ${code} applied${quote.offer?.discount ? `: ${formatDiscount(quote.offer.discount, this.uiLocale)}` : ''}.`,
          }
        : null;
      this._announcement = (code ? `Code ${code} applied. ` : '') + this.describe(quote, plan);
      if (byUser) this.emitQuote(quote, code);
    } catch (e) {
      if (seq !== this.quoteSeq) return;
      const error = toApiError(e);
      const message = this.fail('quote', error);
      this._quote = fullPrice(plan);
      if (code) {
        this._code = null;
        this._codeMessage = { kind: 'error', text: message };
        this._announcement = `Code ${code} was not applied. ${message}`;
      } else {
        this._actionMessage = { kind: 'error', text: message };
        this._announcement = message;
      }
    } finally {
      if (seq === this.quoteSeq) this._quoting = false;
    }
  }

  private emitQuote(quote: Quote, code: string | null): void {
    emit(this, 'offer-checkout:quote', {
      planId: quote.plan_id,
      code,
      price: quote.price,
      discount: quote.discount,
      amountDue: quote.amount_due,
      currency: quote.currency,
      discountedCycles: quote.discounted_cycles,
      offer: quote.offer ?? null,
      formatted: {
        price: this.money(quote.price, quote.currency),
        discount: this.money(quote.discount, quote.currency),
        amountDue: this.money(quote.amount_due, quote.currency),
      },
      quote,
    });
  }

  /** One sentence for the live region: what the user pays, and for how long. */
  private describe(quote: Quote, plan: Plan): string {
    const due = this.money(quote.amount_due, quote.currency);
    const every = formatPeriod(plan.duration);
    if (quote.discount <= 0) return `${plan.name}: ${due} every ${every}.`;
    return `${plan.name}: ${due} due now instead of ${this.money(quote.price, quote.currency)}. ${this.cyclesNote(quote, plan)}`;
  }

  private cyclesNote(quote: Quote, plan: Plan): string {
    const full = `${this.money(quote.price, quote.currency)} every ${formatPeriod(plan.duration)}`;
    const cycles = quote.discounted_cycles;
    if (cycles === null) return 'The discount applies to every billing cycle.';
    if (cycles <= 1) return `The discount applies to the first billing cycle only; then ${full}.`;
    return `The discounted price applies to the first ${cycles} billing cycles; then ${full}.`;
  }

  private async applyCode(code: string | null): Promise<void> {
    this._code = code;
    this.pendingKey = null;
    this._actionMessage = null;
    await this.requote(true);
  }

  private async subscribe(): Promise<void> {
    const plan = this.plan;
    if (!plan || this._busy) return;
    if (!this.userToken) {
      const text = this.fail('subscribe', new ApiError(401, 'login_required', 'No user-token attribute.'));
      this._actionMessage = { kind: 'error', text };
      this._announcement = text;
      return;
    }
    this._busy = 'subscribe';
    this._actionMessage = null;
    this.pendingKey ??= idempotencyKey();
    const code = this._code;
    try {
      const subscription = await this.api().subscribe(plan.id, code, this.pendingKey);
      this.succeed(subscription, plan, code, null);
    } catch (e) {
      const error = toApiError(e);
      const text = this.fail('subscribe', error);
      // A refused attempt is over: the next click is a new attempt. After a network failure or a
      // 5xx the outcome is unknown, so the retry keeps the key and cannot subscribe twice.
      if (error.status !== 0 && error.status < 500) this.pendingKey = null;
      if (code && CODE_REFUSALS.has(error.code)) {
        this._code = null;
        this._codeMessage = { kind: 'error', text };
        this.pendingKey = null;
        void this.requote(false);
      }
      this._actionMessage = { kind: 'error', text };
      this._announcement = `Not subscribed. ${text}`;
    } finally {
      this._busy = null;
    }
  }

  private async claim(group: AccessGroup): Promise<void> {
    if (this._busy) return;
    if (!this.userToken) {
      const text = this.fail('claim', new ApiError(401, 'login_required', 'No user-token attribute.'));
      this._groupMessage = { kind: 'error', text };
      this._announcement = text;
      return;
    }
    this._busy = 'claim';
    this._groupMessage = null;
    try {
      const subscription = await this.api().claim(group.id);
      this.succeed(subscription, this._plans.find((p) => p.id === subscription.plan_id) ?? null, null, group);
    } catch (e) {
      const text = this.fail('claim', toApiError(e));
      this._groupMessage = { kind: 'error', text };
      this._announcement = `Access not granted. ${text}`;
    } finally {
      this._busy = null;
    }
  }

  private succeed(subscription: Subscription, plan: Plan | null, code: string | null, group: AccessGroup | null): void {
    this.pendingKey = null;
    this._subscription = subscription;
    this._subscribedVia = { via: group ? 'group' : 'checkout', group, plan };
    this._phase = 'subscribed';
    this._announcement = group
      ? `You have access through ${group.name}.`
      : `You are subscribed${plan ? ` to ${plan.name}` : ''}.`;
    emit(this, 'offer-checkout:subscribed', {
      subscription,
      planId: subscription.plan_id ?? plan?.id ?? '',
      code,
      via: group ? 'group' : 'checkout',
      groupId: group?.id ?? null,
    });
  }

  // ------------------------------------------------------------------------------------------
  // Rendering
  // ------------------------------------------------------------------------------------------

  protected override render(): TemplateResult {
    let body: TemplateResult | typeof nothing;
    switch (this._phase) {
      case 'loading':
        body = html`<div class="loading" part="loading"><span class="spinner" aria-hidden="true"></span>Loading plans…</div>`;
        break;
      case 'failed':
        body = html`<div class="problem" part="problem">
          <p class="error">${this._loadError}</p>
          <button type="button" part="retry-button" @click=${() => this.load()}>Try again</button>
        </div>`;
        break;
      case 'subscribed':
        body = this.renderSuccess();
        break;
      default:
        body = html`${this.renderGroups()}${this.renderPlans()}${this.renderOffers()}${this.renderCodeForm()}${this.renderSummary()}${this.renderSubscribe()}`;
    }
    return html`<div class="base" part="base" aria-busy=${this._phase === 'loading' ? 'true' : 'false'}>
      ${body}
      <div class="sr-only" role="status" aria-live="polite" aria-atomic="true">${this._announcement}</div>
    </div>`;
  }

  private renderMessage(message: Message, id: string, part: string): TemplateResult {
    return html`<p id=${id} part=${part} class="code-message ${message?.kind ?? ''}">${message?.text ?? ''}</p>`;
  }

  private renderGroups(): TemplateResult | typeof nothing {
    if (this._groups.length === 0) return nothing;
    return html`<div class="group" part="group-access" role="group" aria-labelledby="group-title">
        <p class="title" id="group-title">Your organisation gives you access</p>
        ${this._groups.map((g) =>
          g.claimed
            ? html`<p>You already have access through ${g.name}.</p>`
            : html`<p>
                  ${g.name} covers your subscription
                  ${g.via === 'ip' ? 'on its network' : 'through your work email'}, at no charge to you.
                  ${g.seats_available === 0 ? html`<span class="error">All its seats are taken right now.</span>` : nothing}
                </p>
                <button
                  type="button"
                  class="primary"
                  part="claim-button"
                  aria-disabled=${this._busy ? 'true' : 'false'}
                  aria-describedby="group-message"
                  @click=${() => this.claim(g)}
                >
                  Get access with ${g.name}
                </button>`,
        )}
        ${this.renderMessage(this._groupMessage, 'group-message', 'group-message')}
      </div>
      <p class="divider">or choose a plan</p>`;
  }

  private renderPlans(): TemplateResult {
    return html`<fieldset part="plans">
      <legend>Choose a plan</legend>
      ${this._plans.map(
        (plan) => html`<label class="choice" part="plan">
          <input
            type="radio"
            name="plan"
            .value=${plan.id}
            .checked=${plan.id === this._planSel}
            @change=${() => this.selectPlan(plan.id, true)}
          />
          <span class="choice-main">
            <span class="choice-name">${plan.name}</span>
            <span class="choice-note">
              ${plan.description || `Billed every ${formatPeriod(plan.duration)}`}${plan.pricing === 'aum' ? ' · fee on assets under management' : ''}
            </span>
          </span>
          <span class="choice-price">
            ${this.money(plan.price, plan.currency)}<span class="choice-note"> / ${formatPeriod(plan.duration)}</span>
          </span>
        </label>`,
      )}
    </fieldset>`;
  }

  private renderOffers(): TemplateResult | typeof nothing {
    const usable = this._offers.filter((o) => o.code);
    if (usable.length === 0) return nothing;
    const lang = this.uiLocale;
    return html`<fieldset part="offers">
      <legend>Offers for you</legend>
      <label class="choice" part="offer">
        <input type="radio" name="offer" .checked=${this._code === null} @change=${() => this.applyCode(null)} />
        <span class="choice-main"><span class="choice-name">No offer</span></span>
        <span></span>
      </label>
      ${usable.map((offer) => {
        const code = offer.code!.toUpperCase();
        const ends = formatDate(offer.ends_at, lang);
        const priced = offer.plans?.find((p) => p.plan_id === this._planSel);
        const limit = offer.subscription_limit;
        const cycles = !limit ? 'every billing cycle' : limit === 1 ? 'first billing cycle' : `first ${limit} billing cycles`;
        return html`<label class="choice" part="offer">
          <input
            type="radio"
            name="offer"
            .checked=${this._code === code}
            @change=${() => {
              this._codeDraft = code;
              void this.applyCode(code);
            }}
          />
          <span class="choice-main">
            <span class="choice-name">${offer.name || formatDiscount(offer.discount, lang)}</span>
            <span class="choice-note">Code ${code} · ${cycles}${ends ? ` · until ${ends}` : ''}</span>
          </span>
          <span class="choice-price">
            ${priced ? this.money(priced.amount_due, priced.currency) : formatDiscount(offer.discount, lang)}
          </span>
        </label>`;
      })}
    </fieldset>`;
  }

  private renderCodeForm(): TemplateResult {
    const error = this._codeMessage?.kind === 'error';
    return html`<form
      class="code-form"
      part="code-form"
      novalidate
      @submit=${(e: Event) => {
        e.preventDefault();
        const code = this._codeDraft.trim().toUpperCase();
        if (!code) {
          this._codeMessage = { kind: 'error', text: 'Type a promo code first.' };
          this._announcement = this._codeMessage.text;
          return;
        }
        void this.applyCode(code);
      }}
    >
      <label for="code">Promo code</label>
      <input
        id="code"
        type="text"
        part="code-input"
        name="code"
        autocomplete="off"
        autocapitalize="characters"
        spellcheck="false"
        maxlength="64"
        aria-invalid=${error ? 'true' : 'false'}
        aria-describedby="code-message"
        .value=${this._codeDraft}
        @input=${(e: Event) => (this._codeDraft = (e.target as HTMLInputElement).value)}
      />
      <button type="submit" part="apply-button">Apply</button>
      ${this.renderMessage(this._codeMessage, 'code-message', 'code-message')}
      ${this._code && this._codeMessage?.kind === 'ok'
        ? html`<button type="button" class="link" part="remove-code-button" @click=${() => this.applyCode(null)}>Remove code ${this._code}</button>`
        : nothing}
    </form>`;
  }

  private renderSummary(): TemplateResult | typeof nothing {
    const quote = this._quote;
    const plan = this.plan;
    if (!quote || !plan) return nothing;
    const every = formatPeriod(plan.duration);
    return html`<dl class="summary" part="summary" aria-busy=${this._quoting ? 'true' : 'false'}>
      <dt>Price</dt>
      <dd>${this.money(quote.price, quote.currency)} every ${every}</dd>
      ${quote.discount > 0
        ? html`<dt>Discount${this._code ? ` (${this._code})` : ''}</dt>
            <dd class="ok">−${this.money(quote.discount, quote.currency)}</dd>`
        : nothing}
      <dt>Due now</dt>
      <dd class="due">${this.money(quote.amount_due, quote.currency)}</dd>
      ${quote.discount > 0 ? html`<dd class="note">${this.cyclesNote(quote, plan)}</dd>` : nothing}
    </dl>`;
  }

  private renderSubscribe(): TemplateResult {
    const quote = this._quote;
    const label = quote
      ? quote.amount_due === 0
        ? 'Subscribe for free'
        : `Subscribe for ${this.money(quote.amount_due, quote.currency)}`
      : 'Subscribe';
    return html`<div>
      <button
        type="button"
        class="primary"
        part="subscribe-button"
        aria-disabled=${this._busy || this._quoting ? 'true' : 'false'}
        aria-describedby="action-message"
        @click=${() => (this._quoting ? undefined : this.subscribe())}
      >
        ${label}
      </button>
      ${this.renderMessage(this._actionMessage, 'action-message', 'action-message')}
      ${this.userToken ? nothing : html`<p class="muted">Sign in on this site to subscribe.</p>`}
    </div>`;
  }

  private renderSuccess(): TemplateResult {
    const done = this._subscribedVia;
    const sub = this._subscription;
    const plan = done?.plan ?? null;
    const renews = formatDate(typeof sub?.current_period_end === 'string' ? sub.current_period_end : null, this.uiLocale);
    const amount = typeof sub?.amount_due === 'number' && typeof sub.currency === 'string' ? this.money(sub.amount_due, sub.currency) : null;
    return html`<div class="success" part="success" tabindex="-1">
      <p class="title ok">${done?.group ? `You have access through ${done.group.name}` : 'You are subscribed'}</p>
      ${plan ? html`<p>${plan.name} · every ${formatPeriod(plan.duration)}</p>` : nothing}
      ${amount !== null && !done?.group ? html`<p>Amount due now: ${amount}</p>` : nothing}
      ${renews ? html`<p>${sub?.status === 'active' ? 'Current period ends' : 'Period ends'} on ${renews}.</p>` : nothing}
      ${sub ? html`<p class="muted">Subscription ${sub.id}</p>` : nothing}
    </div>`;
  }
}

if (!customElements.get('offer-checkout')) customElements.define('offer-checkout', OfferCheckout);

declare global {
  interface HTMLElementTagNameMap {
    'offer-checkout': OfferCheckout;
  }
}
