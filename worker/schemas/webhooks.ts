import { z } from 'zod';
import { WEBHOOK_EVENT_TYPES } from '../domain/webhook-events';
import { WEBHOOK_DELIVERY_STATUSES } from '../db/schema';
import { Id } from './common';

export const WebhookEventType = z.enum(WEBHOOK_EVENT_TYPES).meta({ id: 'WebhookEventType' });

const Url = z.string().trim().min(1, 'must not be empty').max(2048, 'must be at most 2048 characters').meta({ example: 'https://publisher.example.com/webhooks/offer-checkout' });

/** A list of event types, or `["*"]` (every type, including types added later). */
const Events = z
  .array(z.enum([...WEBHOOK_EVENT_TYPES, '*'], { message: `must be one of ${WEBHOOK_EVENT_TYPES.join(', ')}, or "*"` }))
  .min(1, 'must name at least one event type, or "*"')
  .max(WEBHOOK_EVENT_TYPES.length + 1)
  .superRefine((events, ctx) => {
    if (events.includes('*') && events.length > 1) ctx.addIssue({ code: 'custom', message: '"*" must be the only entry' });
  })
  .transform((events) => [...new Set(events)])
  .meta({ example: ['subscription.activated', 'subscription.voided'] });

const Description = z.string().max(500).nullable().optional();

export const WebhookEndpointCreate = z
  .strictObject({ url: Url, events: Events, description: Description })
  .meta({ id: 'WebhookEndpointCreate' });

export const WebhookEndpointUpdate = z
  .strictObject({ url: Url.optional(), events: Events.optional(), description: Description, disabled: z.boolean().optional() })
  .meta({ id: 'WebhookEndpointUpdate' });

export const WebhookEndpoint = z
  .object({
    id: z.string(),
    url: z.string(),
    events: z.array(z.string()),
    description: z.string().nullable(),
    disabled: z.boolean(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'WebhookEndpoint' });

export const WebhookEndpointWithSecret = WebhookEndpoint.extend({
  secret: z.string().meta({ description: 'The signing secret (`whsec_…`). Shown only in this answer.' }),
}).meta({ id: 'WebhookEndpointWithSecret' });

export const WebhookDelivery = z
  .object({
    id: z.string(),
    event_id: z.string(),
    type: WebhookEventType,
    status: z.enum(WEBHOOK_DELIVERY_STATUSES),
    attempts: z.number().int(),
    last_status_code: z.number().int().nullable(),
    last_error: z.string().nullable(),
    next_attempt_at: z.string().nullable(),
    created_at: z.string(),
    delivered_at: z.string().nullable(),
  })
  .meta({ id: 'WebhookDelivery' });

export const WebhookDeliveriesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  starting_after: Id('whd').optional(),
  status: z.enum(WEBHOOK_DELIVERY_STATUSES).optional(),
  event_id: Id('evt').optional(),
});

export const WebhookEndpointParam = z.object({ id: Id('whe') });
