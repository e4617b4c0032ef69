/**
 * The webhook event types (SPEC "Webhooks"): the one list, used by the outbox, the API schemas
 * and the console's event picker.
 */
export const WEBHOOK_EVENT_TYPES = [
  'subscription.pending',
  'subscription.activated',
  'subscription.renewed',
  'subscription.cancelled',
  'subscription.voided',
  'subscription.hold_expired',
  'group.claimed',
  'job.succeeded',
  'job.failed',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];
