/**
 * English words of `<offer-checkout>`: the reference catalogue. Every other language implements
 * `Catalogue` (the compiler checks that none is missing). Amounts, dates and counts arrive
 * already formatted by `Intl` in the widget's locale (widget/format.ts).
 */
export const en = {
  loading: 'Loading plans…',
  choosePlan: 'Choose a plan',
  offersForYou: 'Offers for you',
  noOffer: 'No offer',
  promoCode: 'Promo code',
  apply: 'Apply',
  removeCode: (code: string) => `Remove code ${code}`,
  price: 'Price',
  discount: 'Discount',
  dueNow: 'Due now',
  /** One billing period, after "/": "month", "year". Multiples come from Intl ("3 months"). */
  month: 'month',
  year: 'year',
  off: (amount: string) => `${amount} off`,
  code: (code: string) => `Code ${code}`,
  /** "₹399.20 / month for 2 months, then ₹499.00" */
  forThen: (perPeriod: string, span: string, full: string) => `${perPeriod} for ${span}, then ${full}`,
  everyCycle: (perPeriod: string) => `${perPeriod}, every billing cycle`,
  applied: (code: string, off: string) => `Code ${code} applied: ${off}.`,
  notApplied: (code: string, why: string) => `Code ${code} was not applied. ${why}`,
  subscribe: 'Subscribe',
  subscribeFor: (amount: string) => `Subscribe for ${amount}`,
  subscribeFree: 'Subscribe for free',
  signIn: 'Sign in on this site to subscribe.',
  tryAgain: 'Try again',
  subscribed: (plan: string) => `You are subscribed to ${plan}`,
  /** `span` null: every cycle is discounted. */
  saved: (code: string, off: string, span: string | null) => `Code ${code}: ${off} off ${span ? `for ${span}` : 'every billing cycle'}.`,
  after: (perPeriod: string) => `After that: ${perPeriod}.`,
  already: (plan: string) => `You already subscribe to ${plan}`,
  yourPlan: 'this product',
  awaitingTitle: 'Payment awaited',
  awaiting: (plan: string, amount: string, time: string) => `${plan} (${amount}) is held for you until ${time}: complete the payment by then.`,
  holdExpired: 'The time to pay has run out: nothing was charged.',
  groupTitle: 'Your organisation gives you access',
  groupCovers: (group: string) => `${group} gives you this subscription at no charge.`,
  claim: (group: string) => `Get access with ${group}`,
  viaGroup: (group: string) => `You have access through ${group}`,
  /** Why something was refused, by the API's problem `code`. */
  errors: {
    missing: 'Missing publishable-key or product-id attribute.',
    no_plans: 'No plan of this product is on sale now.',
    code_not_found: 'We could not find that code.',
    code_invalid_format: 'A code is 3 to 32 letters and digits.',
    offer_not_started: 'This offer has not started yet.',
    offer_expired: 'This offer has expired.',
    not_eligible: 'This offer is not available for your account.',
    not_applicable: 'This code does not apply to the plan you picked.',
    avail_limit_reached: 'You have already used this offer as often as it allows.',
    redemptions_exhausted: 'This offer has been fully claimed.',
    login_required: 'Sign in on this site to subscribe.',
    invalid_user_token: 'Your session has expired. Please sign in again.',
    seats_exhausted: 'Your organisation has no free seats left.',
    origin_not_allowed: 'This page is not allowed to sell these subscriptions.',
    unauthorized: 'The publishable key was refused.',
    rate_limited: 'Too many attempts. Try again in a minute.',
    network_error: 'We could not reach the server. Try again.',
    already_subscribed: 'You already have a subscription to this product.',
    server: 'Something went wrong on our side. Try again.',
    other: 'This request was refused.',
  } as Record<string, string>,
};

export type Catalogue = typeof en;
