/**
 * The typed events of `<offer-checkout>`. Every event is a `CustomEvent` that bubbles and is
 * composed (it crosses shadow roots), fired on a user action, never on a property change.
 */
import type { Offer, Quote, Subscription } from './api.js';

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
  offer: Offer | null;
  /** The same amounts formatted for the page's locale. */
  formatted: { price: string; discount: string; amountDue: string };
  /** The API's quote, as received. */
  quote: Quote;
}

/** `offer-checkout:subscribed`: the subscription was created (checkout or group access). */
export interface SubscribedEventDetail {
  subscription: Subscription;
  planId: string;
  code: string | null;
  via: 'checkout' | 'group';
  groupId: string | null;
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

export type OfferCheckoutQuoteEvent = CustomEvent<QuoteEventDetail>;
export type OfferCheckoutSubscribedEvent = CustomEvent<SubscribedEventDetail>;
export type OfferCheckoutErrorEvent = CustomEvent<ErrorEventDetail>;

export interface OfferCheckoutEventMap {
  'offer-checkout:quote': OfferCheckoutQuoteEvent;
  'offer-checkout:subscribed': OfferCheckoutSubscribedEvent;
  'offer-checkout:error': OfferCheckoutErrorEvent;
}

/** Dispatches one of the widget's events from `target` (bubbling, composed). */
export function emit<K extends keyof OfferCheckoutEventMap>(
  target: EventTarget,
  name: K,
  detail: OfferCheckoutEventMap[K]['detail'],
): void {
  target.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface HTMLElementEventMap extends OfferCheckoutEventMap {}
}
