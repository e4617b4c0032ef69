/**
 * Webhook delivery (docs/webhooks.md): the consumer of the `offer-checkout-webhooks` queue and
 * the cron sweep that re-enqueues due deliveries.
 *
 * A message names a tenant (deliver what is due: sent right after a change committed) or one
 * delivery (a retry, delayed with `delaySeconds`). Each delivery is claimed with a short lease
 * before it is tried, so a delivery named by several messages is POSTed once per attempt. An
 * attempt re-checks the URL (DNS rebinding), signs the stored event JSON and POSTs it; a 2xx
 * within 10 s delivers it, anything else schedules the next try on the row and in the queue.
 */
import type { Bindings } from '../env';
import { randomString } from '../domain/crypto';
import { deriveWebhookSecret, signatureHeader } from '../domain/webhook-signature';
import { checkWebhookUrl, dohResolver, type Resolve } from '../domain/webhook-urls';
import { guardD1 } from '../db/guard';
import {
  claimDelivery,
  dueDeliveriesAllTenants,
  dueDeliveryIds,
  pruneOldDeliveries,
  recordAttempt,
  type ClaimedDelivery,
} from '../db/webhooks';
import type { WebhookMessage } from '../db/webhook-outbox';

/** A receiver has this long to answer 2xx. */
export const DELIVERY_TIMEOUT_MS = 10_000;
/** A claim outlives the slowest attempt (DNS check + 10 s POST) with room to spare. */
export const LEASE_MS = 60_000;
/** Retries go on at least this long after the event, then the delivery is failed. */
export const RETRY_WINDOW_MS = 24 * 60 * 60 * 1000;
/** Delay before retry n (1-based); the last entry repeats. */
export const RETRY_DELAYS_MS = [30_000, 120_000, 600_000, 1_800_000, 3_600_000, 7_200_000];
const MAX_BODY_PREVIEW = 200;
/** A delayed message may arrive a moment before its row's time, or on an isolate whose clock lags. */
const CLOCK_SLACK_MS = 2_000;
const RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

/** Pure: after a failed attempt number `attempts` (1-based) at `now`, when to try again, or give up. */
export function nextAttempt(attempts: number, eventCreatedAt: number, now: number): { kind: 'retry'; at: number } | { kind: 'give_up' } {
  if (now - eventCreatedAt >= RETRY_WINDOW_MS) return { kind: 'give_up' };
  const delay = RETRY_DELAYS_MS[Math.min(attempts, RETRY_DELAYS_MS.length) - 1]!;
  return { kind: 'retry', at: now + delay };
}

/** The resolver the URL rules use: DNS over HTTPS, `WEBHOOK_DNS_RESOLVER` or Cloudflare's. */
export function webhookResolver(env: Pick<Bindings, 'WEBHOOK_DNS_RESOLVER'>, fetchFn: typeof fetch = fetch): Resolve {
  const configured = env.WEBHOOK_DNS_RESOLVER?.trim();
  const endpoint = configured ? (configured.includes('://') ? configured : `https://${configured}/dns-query`) : `https://${DEFAULT_DOH_HOST}/dns-query`;
  return dohResolver(endpoint, fetchFn);
}
const DEFAULT_DOH_HOST = 'cloudflare-dns.com';

export interface DeliveryOptions {
  /** The clock (tests move it forward to reach a retry without waiting). */
  now?: () => number;
  fetch?: typeof fetch;
}

export type AttemptResult =
  | { kind: 'not_claimed' }
  | { kind: 'delivered'; statusCode: number }
  | { kind: 'retry'; statusCode: number | null; error: string; at: number }
  | { kind: 'failed'; statusCode: number | null; error: string };

/** Tries one delivery once, if it is due and nobody else holds it. */
export async function attemptDelivery(env: Bindings, tenantId: string, deliveryId: string, opts: DeliveryOptions = {}): Promise<AttemptResult> {
  const clock = opts.now ?? Date.now;
  const db = guardD1(env.DB);
  const token = randomString(16);
  const started = clock();
  const claimed = await claimDelivery(db, tenantId, deliveryId, token, started, LEASE_MS, started + CLOCK_SLACK_MS);
  if (!claimed) return { kind: 'not_claimed' };
  const outcome = await post(env, claimed, opts.fetch ?? fetch, clock);
  const now = clock();
  let result: AttemptResult;
  if (outcome.ok) {
    result = { kind: 'delivered', statusCode: outcome.statusCode! };
  } else {
    const next = nextAttempt(claimed.attempts + 1, claimed.created_at, now);
    result =
      next.kind === 'retry' && !outcome.final
        ? { kind: 'retry', statusCode: outcome.statusCode, error: outcome.error, at: next.at }
        : { kind: 'failed', statusCode: outcome.statusCode, error: outcome.error };
  }
  const recorded = await recordAttempt(db, tenantId, deliveryId, token, {
    status: result.kind === 'delivered' ? 'delivered' : result.kind === 'retry' ? 'pending' : 'failed',
    statusCode: result.kind === 'delivered' ? result.statusCode : 'statusCode' in result ? result.statusCode : null,
    error: result.kind === 'delivered' ? null : 'error' in result ? result.error : null,
    nextAttemptAt: result.kind === 'retry' ? result.at : null,
    now,
  });
  if (recorded && result.kind === 'retry') {
    const delaySeconds = Math.max(0, Math.ceil((result.at - now) / 1000));
    await env.WEBHOOKS_QUEUE.send({ kind: 'delivery', tenantId, deliveryId } satisfies WebhookMessage, { delaySeconds: Math.min(delaySeconds, 43_200) }).catch((err: unknown) => {
      // The sweep re-enqueues it when due.
      console.error('webhook retry enqueue failed', deliveryId, err);
    });
  }
  return result;
}

async function post(
  env: Bindings,
  d: ClaimedDelivery,
  fetchFn: typeof fetch,
  clock: () => number,
): Promise<{ ok: boolean; final: boolean; statusCode: number | null; error: string }> {
  if (d.disabled_at !== null) return { ok: false, final: true, statusCode: null, error: 'endpoint disabled' };
  // Re-checked at every attempt: a name that now resolves to a private address is not called.
  const decision = await checkWebhookUrl(d.url, { environment: env.ENVIRONMENT, resolve: webhookResolver(env, fetchFn) });
  if (decision.kind === 'refused') return { ok: false, final: false, statusCode: null, error: `url refused: ${decision.message}` };
  const secret = await deriveWebhookSecret(env.SECRET_DERIVATION_KEY, d.endpoint_id, d.secret_salt);
  const timestamp = Math.floor(clock() / 1000);
  try {
    const res = await fetchFn(decision.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'offer-checkout-webhooks/1',
        'Offer-Checkout-Event-Id': d.event_id,
        'Offer-Checkout-Signature': await signatureHeader(secret, timestamp, d.payload),
      },
      body: d.payload,
      // A redirect is not followed (it could point anywhere): it counts as a failed attempt.
      redirect: 'manual',
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
    });
    const ok = res.status >= 200 && res.status < 300;
    let preview = '';
    if (!ok) preview = (await res.text().catch(() => '')).slice(0, MAX_BODY_PREVIEW);
    else await res.body?.cancel().catch(() => {});
    return { ok, final: false, statusCode: res.status, error: ok ? '' : `answered ${res.status}${preview ? `: ${preview}` : ''}` };
  } catch (err) {
    const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
    return { ok: false, final: false, statusCode: null, error: timedOut ? `no answer within ${DELIVERY_TIMEOUT_MS / 1000} s` : `request failed: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** The queue handler of `offer-checkout-webhooks`. */
export async function handleWebhookBatch(batch: MessageBatch<WebhookMessage>, env: Bindings, opts: DeliveryOptions = {}): Promise<void> {
  const clock = opts.now ?? Date.now;
  await Promise.all(
    batch.messages.map(async (message) => {
      const body = message.body;
      try {
        if (body?.kind === 'tenant' && typeof body.tenantId === 'string') {
          const ids = await dueDeliveryIds(guardD1(env.DB), body.tenantId, clock() + CLOCK_SLACK_MS, 50);
          await Promise.all(ids.map((id) => attemptDelivery(env, body.tenantId, id, opts)));
          // More than one page due: keep going in a fresh message.
          if (ids.length === 50) await env.WEBHOOKS_QUEUE.send({ kind: 'tenant', tenantId: body.tenantId });
        } else if (body?.kind === 'delivery' && typeof body.tenantId === 'string' && typeof body.deliveryId === 'string') {
          await attemptDelivery(env, body.tenantId, body.deliveryId, opts);
        }
        message.ack();
      } catch (err) {
        // D1 or the queue failed (not the receiver: its failures are recorded on the row).
        console.error('webhook message failed', body, err);
        message.retry({ delaySeconds: Math.min(2 ** message.attempts, 60) });
      }
    }),
  );
}

/** Cron sweep: re-enqueues every due pending delivery (lost messages, expired leases); prunes old logs hourly. */
export async function sweepWebhookDeliveries(env: Bindings, now: number): Promise<void> {
  const db = guardD1(env.DB);
  const due = await dueDeliveriesAllTenants(db, now, 1000);
  for (let i = 0; i < due.length; i += 100) {
    await env.WEBHOOKS_QUEUE.sendBatch(
      due.slice(i, i + 100).map((d) => ({ body: { kind: 'delivery', tenantId: d.tenant_id, deliveryId: d.id } satisfies WebhookMessage })),
    );
  }
  if (new Date(now).getUTCMinutes() === 0) await pruneOldDeliveries(db, now, RETENTION_MS);
}
