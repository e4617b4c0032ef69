/** Plain-words explanations of the API's refusals, by problem `code`. */
const MESSAGES: Record<string, string> = {
  code_not_found: 'We could not find that code. Check the spelling and try again.',
  code_invalid_format: 'A code is 3 to 32 letters and digits, without spaces or symbols.',
  offer_not_started: 'This offer has not started yet. Try again once it begins.',
  offer_expired: 'This offer has expired and can no longer be used.',
  not_eligible: 'This offer is not available for your account.',
  not_applicable: 'This code does not apply to the plan you picked. Try another plan.',
  avail_limit_reached: 'You have already used this offer as many times as it allows.',
  redemptions_exhausted: 'This offer has been fully claimed: no redemptions are left.',
  login_required: 'Please sign in first: you need an account to continue.',
  invalid_user_token: 'Your session has expired. Please sign in again.',
  seats_exhausted: 'Your organisation has no free seats left. Ask your administrator for one.',
  not_qualified: 'Your network or work email does not qualify for this organisation’s access any more.',
  origin_not_allowed: 'This page is not allowed to sell this publisher’s subscriptions.',
  unauthorized: 'This checkout is not set up correctly (the publishable key was refused).',
  not_found: 'This plan or product is not available any more.',
  rate_limited: 'Too many attempts. Wait a moment and try again.',
  network_error: 'We could not reach the server. Check your connection and try again.',
  idempotency_conflict: 'A previous attempt is still being processed. Wait a moment and try again.',
  idempotency_key_reuse: 'Your choice changed while a previous attempt was in flight. Please try again.',
  checkout_conflict: 'Many people are checking out at once. Please try again.',
  already_subscribed: 'You already have an active subscription to this product.',
};

export function explain(code: string, status: number): string {
  const known = MESSAGES[code];
  if (known) return known;
  if (status >= 500) return 'Something went wrong on our side. Please try again in a moment.';
  if (status === 409) return 'This cannot be done right now: your subscription may already exist.';
  return 'This request was refused. Please check your choice and try again.';
}
