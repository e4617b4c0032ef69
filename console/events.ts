/**
 * The console's events. Components never reach into each other: they fire these (bubbling,
 * composed) and the app shell acts on them.
 */

/** Go to a route of the console (`#/offers/offer_…`). */
export const NAVIGATE = 'console:navigate';
/** Say something to screen readers through the app's live region. */
export const ANNOUNCE = 'console:announce';
/** The session started (sign-in succeeded). */
export const SIGNED_IN = 'console:signed-in';

export interface NavigateDetail {
  route: string;
}
export interface AnnounceDetail {
  message: string;
}

export function navigate(from: EventTarget, route: string): void {
  from.dispatchEvent(new CustomEvent<NavigateDetail>(NAVIGATE, { detail: { route }, bubbles: true, composed: true }));
}

export function announce(from: EventTarget, message: string): void {
  from.dispatchEvent(new CustomEvent<AnnounceDetail>(ANNOUNCE, { detail: { message }, bubbles: true, composed: true }));
}

declare global {
  interface HTMLElementEventMap {
    'console:navigate': CustomEvent<NavigateDetail>;
    'console:announce': CustomEvent<AnnounceDetail>;
    'console:signed-in': CustomEvent<{ tenant?: { id: string; name: string } } | null>;
  }
}
