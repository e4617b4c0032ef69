// The publisher's backend for offer-checkout, in full (docs/integration.md): user tokens for the
// widget, a Stripe payment for each pending checkout, activation or void from Stripe's
// webhooks, and the offer-checkout webhooks that tell it what changed.
//
// One `fetch(request) => Response` handler (Workers, Deno, Bun; Node 18+ through any
// fetch-style adapter), no dependencies, Web Crypto only. test/routes/webhooks.test.ts runs this
// file against the real worker (and a stand-in for Stripe's API).
import { verifyWebhook } from './verify-webhook.mjs';
import { signUserToken } from './user-token.mjs';

const STRIPE_API_HOST = 'api.stripe.com';

/**
 * @param {object} config
 * @param {{ base: string, secretKey: string, webhookSecret: string, userTokenSecret: string, userTokenVersion?: number }} config.offerCheckout
 *   `base`: where the worker runs; `secretKey`: the tenant's sk_…; `webhookSecret`: the whsec_… of
 *   your webhook endpoint; the user-token secret and its version (POST /admin/v1/user-token-secrets)
 * @param {{ secretKey: string, webhookSecret: string }} config.stripe  Stripe API key and the signing secret of your Stripe webhook endpoint
 * @param {(request: Request) => Promise<{ id: string, email?: string, emailVerified?: boolean } | null>} config.currentUser  your own session lookup
 * @param {(event: { id: string, type: string, created_at: string, data: { object: any } }) => Promise<void>} config.onEvent
 *   your business logic for offer-checkout events (grant access on subscription.activated, …)
 * @param {typeof fetch} [config.fetch]
 */
export function createPublisherBackend(config) {
  const http = config.fetch ?? fetch;

  /** The offer-checkout admin API (secret key; never called from the browser). */
  async function offerCheckout(method, path, body, idempotencyKey) {
    const headers = { Authorization: `Bearer ${config.offerCheckout.secretKey}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (idempotencyKey) headers['Idempotency-Key'] = idempotencyKey;
    const res = await http(`${config.offerCheckout.base}/admin/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }

  /** Stripe's API: form-encoded requests, Bearer secret key, Idempotency-Key on every POST. */
  async function stripe(path, params, idempotencyKey) {
    const res = await http(`https://${STRIPE_API_HOST}/v1${path}`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${config.stripe.secretKey}`,
        'Content-Type': 'application/x-www-form-urlencoded',
        'Idempotency-Key': idempotencyKey,
      },
      body: new URLSearchParams(params).toString(),
    });
    return { status: res.status, body: await res.json() };
  }

  const json = (status, body) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

  /** GET /user-token: the token the page puts on <offer-checkout user-token="…">. */
  async function userToken(request) {
    const user = await config.currentUser(request);
    if (!user) return json(401, { error: 'sign in first' });
    const token = await signUserToken(user, { secret: config.offerCheckout.userTokenSecret, version: config.offerCheckout.userTokenVersion ?? 1 });
    return json(200, { token });
  }

  /**
   * POST /pay {subscription_id}: the page calls this on `offer-checkout:payment-required`. The
   * amount comes from offer-checkout (server to server), never from the browser.
   */
  async function pay(request) {
    const user = await config.currentUser(request);
    if (!user) return json(401, { error: 'sign in first' });
    const { subscription_id: id } = await request.json();
    if (typeof id !== 'string' || !/^sub_[0-9a-z]+$/.test(id)) return json(400, { error: 'subscription_id' });
    const sub = await offerCheckout('GET', `/subscriptions/${id}`);
    if (sub.status !== 200 || sub.body.user_id !== user.id) return json(404, { error: 'unknown subscription' });
    if (sub.body.status !== 'pending') return json(409, { error: `subscription is ${sub.body.status}` });
    const intent = await stripe(
      '/payment_intents',
      {
        amount: String(sub.body.amount_due),
        currency: sub.body.currency.toLowerCase(),
        'automatic_payment_methods[enabled]': 'true',
        'metadata[subscription_id]': id,
        description: `Subscription ${id}`,
      },
      // One PaymentIntent per subscription, however often the page asks.
      `offer-checkout-pi-${id}`,
    );
    if (intent.status !== 200) return json(502, { error: 'payment provider refused', detail: intent.body?.error?.message });
    return json(200, { client_secret: intent.body.client_secret, payment_intent_id: intent.body.id, hold_expires_at: sub.body.hold_expires_at });
  }

  /**
   * POST /webhooks/stripe: payment_intent.succeeded → activate; payment_intent.payment_failed →
   * cancel the PaymentIntent (so it can no longer succeed) and void the subscription. Stripe signs
   * with the same `t=…,v1=…` scheme as offer-checkout, so one verifier serves both. A 5xx makes
   * Stripe retry; every call below is idempotent, so a retry is harmless.
   */
  async function stripeWebhook(request) {
    const raw = await request.text();
    let event;
    try {
      event = await verifyWebhook(raw, request.headers.get('Stripe-Signature'), config.stripe.webhookSecret);
    } catch {
      return json(400, { error: 'bad signature' });
    }
    const intent = event.data.object;
    const subscriptionId = intent?.metadata?.subscription_id;
    if (!subscriptionId) return json(200, { ignored: true });

    if (event.type === 'payment_intent.succeeded') {
      const activated = await offerCheckout('POST', `/subscriptions/${subscriptionId}/activate`, { collection: 'charge_card', payment_reference: intent.id }, `activate-${intent.id}`);
      if (activated.status === 200) return json(200, { activated: subscriptionId });
      if (activated.status >= 500) return json(500, { retry: true });
      // Paid too late (409 hold_expired: the seat went back to others) or voided meanwhile: refund.
      const refund = await stripe('/refunds', { payment_intent: intent.id, 'metadata[subscription_id]': subscriptionId, 'metadata[reason]': activated.body?.code ?? String(activated.status) }, `refund-${intent.id}`);
      return json(refund.status === 200 ? 200 : 500, { refunded: refund.status === 200, reason: activated.body?.code });
    }

    if (event.type === 'payment_intent.payment_failed') {
      // Cancel first: a PaymentIntent that can still succeed must not lose its subscription.
      const cancelled = await stripe(`/payment_intents/${intent.id}/cancel`, { cancellation_reason: 'abandoned' }, `cancel-${intent.id}`);
      if (cancelled.status !== 200 || cancelled.body.status !== 'canceled') return json(200, { voided: false, reason: 'payment intent could not be cancelled' });
      const voided = await offerCheckout('POST', `/subscriptions/${subscriptionId}/void`, undefined, `void-${intent.id}`);
      if (voided.status >= 500) return json(500, { retry: true });
      return json(200, { voided: voided.status === 200 ? subscriptionId : false, status: voided.status });
    }
    return json(200, { ignored: event.type });
  }

  /** POST /webhooks/offer-checkout: verify, then hand the event to your logic (at least once: dedupe by id). */
  async function offerCheckoutWebhook(request) {
    const raw = await request.text();
    let event;
    try {
      event = await verifyWebhook(raw, request.headers.get('Offer-Checkout-Signature'), config.offerCheckout.webhookSecret);
    } catch {
      return json(400, { error: 'bad signature' });
    }
    await config.onEvent(event);
    return json(200, { received: event.id });
  }

  return {
    async fetch(request) {
      const { pathname } = new URL(request.url);
      if (request.method === 'GET' && pathname === '/user-token') return userToken(request);
      if (request.method === 'POST' && pathname === '/pay') return pay(request);
      if (request.method === 'POST' && pathname === '/webhooks/stripe') return stripeWebhook(request);
      if (request.method === 'POST' && pathname === '/webhooks/offer-checkout') return offerCheckoutWebhook(request);
      return json(404, { error: 'not found' });
    },
  };
}
