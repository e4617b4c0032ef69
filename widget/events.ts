/**
 * The typed events of `<offer-checkout>`. Every event is a `CustomEvent` that bubbles and is
 * composed (it crosses shadow roots), fired on a user action or its answer, never after the
 * element has left the page.
 */
import type { PublicOffer, Quote, Subscription } from './api.js';

/** `offer-checkout:quote`: the price shown changed after the user picked a plan, an offer or a code. */
export interface QuoteEventDetail {
  planId: string;
  /** The code applied, upper-case, or null. */
  code: string | null;
  /** Minor units. */
  price: number;
  discount: number;
  amountDue: number;
  currency: string;
  /** Billing cycles that get the discount (the first included); null when every cycle does. */
  discountedCycles: number | null;
  offer: Quote['offer'] | PublicOffer | null;
  /** The same amounts formatted in the widget's locale. */
  formatted: { price: string; discount: string; amountDue: string };
  /** The API's quote, as received. */
  quote: Quote;
}

/** `offer-checkout:subscribed`: an active subscription was created (checkout or group access). */
export interface SubscribedEventDetail {
  subscription: Subscription;
  planId: string;
  code: string | null;
  via: 'checkout' | 'group';
  groupId: string | null;
}

/** `offer-checkout:payment-required`: a checkout is pending until the page takes the payment. */
export interface PaymentRequiredEventDetail {
  subscription_id: string;
  /** Minor units. */
  amount_due: number;
  currency: string;
  /** ISO 8601: the counts are held until then; unpaid, the subscription becomes `hold_expired`. */
  hold_expires_at: string | null;
}

/** `offer-checkout:error`: something the user asked for was refused or failed. */
export interface ErrorEventDetail {
  /** What the widget was doing. */
  action: 'load' | 'quote' | 'subscribe' | 'claim';
  /** The API's HTTP status (0 when the network failed). */
  status: number;
  /** The API's stable problem `code`, e.g. `offer_expired`, `login_required`, `network_error`. */
  code: string;
  /** The plain-words explanation the widget shows. */
  message: string;
  /** The API's own `detail`, if any. */
  detail: string | null;
}

export interface OfferCheckoutEventMap {
  'offer-checkout:quote': CustomEvent<QuoteEventDetail>;
  'offer-checkout:subscribed': CustomEvent<SubscribedEventDetail>;
  'offer-checkout:payment-required': CustomEvent<PaymentRequiredEventDetail>;
  'offer-checkout:error': CustomEvent<ErrorEventDetail>;
}

/** Dispatches one of the widget's events from `target` (bubbling, composed); nothing once it has left the page. */
export function emit<K extends keyof OfferCheckoutEventMap>(target: Element, name: K, detail: OfferCheckoutEventMap[K]['detail']): void {
  if (target.isConnected) target.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface HTMLElementEventMap extends OfferCheckoutEventMap {}
}
