import { z } from 'zod';
import { Id } from './common';

const Name = z.string().trim().min(1, 'must not be empty').max(200);

/** Ranges per group: enough for a large organisation, bounded so a write stays one batch. */
export const MAX_RANGES_PER_GROUP = 10_000;
export const MAX_DOMAINS_PER_GROUP = 100;

const IpRanges = z
  .array(z.string().max(100, 'is too long'))
  .max(MAX_RANGES_PER_GROUP, `at most ${MAX_RANGES_PER_GROUP} ranges per group`)
  .meta({
    description:
      'IPv4 or IPv6 ranges as CIDR (`203.0.113.0/24`, `2001:db8::/48`), `start-end` or a single address. ' +
      'Replaces the whole list on update. Private, loopback and other non-public ranges are accepted with a warning ' +
      '(`ip_range_not_public`: no client on the internet comes from them); public ranges broader ' +
      'than /16 (IPv4) or /32 (IPv6) need `confirm_broad_ranges: true`.',
    example: ['203.0.113.0/24', '198.51.100.10-198.51.100.20', '2001:db8:1234::/48'],
  });

const EmailDomains = z
  .array(z.string().max(253, 'is too long'))
  .max(MAX_DOMAINS_PER_GROUP, `at most ${MAX_DOMAINS_PER_GROUP} domains per group`)
  .meta({ description: 'Email domains (exact match, case-insensitive); free-mail domains are refused. Replaces the whole list on update.', example: ['xyz.com'] });

const SeatLimit = z.number().int('must be an integer').min(1, 'must be at least 1').max(100_000_000).nullable();
const ConfirmBroad = z.boolean().optional().meta({ description: 'Accept ranges broader than /16 (IPv4) or /32 (IPv6).' });

export const GroupCreate = z
  .strictObject({
    name: Name,
    plan_id: Id('plan'),
    ip_ranges: IpRanges.optional(),
    email_domains: EmailDomains.optional(),
    seat_limit: SeatLimit.optional(),
    owner_subscription_id: Id('sub').nullable().optional(),
    confirm_broad_ranges: ConfirmBroad,
  })
  .meta({ id: 'GroupCreate' });

export const GroupUpdate = z
  .strictObject({
    name: Name.optional(),
    plan_id: Id('plan').optional(),
    ip_ranges: IpRanges.optional(),
    email_domains: EmailDomains.optional(),
    seat_limit: SeatLimit.optional(),
    owner_subscription_id: Id('sub').nullable().optional(),
    confirm_broad_ranges: ConfirmBroad,
  })
  .meta({ id: 'GroupUpdate' });

export const Group = z
  .object({
    id: z.string(),
    name: z.string(),
    plan_id: z.string(),
    product_id: z.string(),
    ip_ranges: z.array(z.string()).meta({ description: 'Normalised: CIDR when the range is one block, else `start-end`; ordered by address' }),
    email_domains: z.array(z.string()),
    seat_limit: z.number().int().nullable(),
    seats_used: z.number().int(),
    seats_available: z.number().int().nullable(),
    owner_subscription_id: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'Group' });

/** The answer of a create or an update: the group, and a warning for each range no internet client can come from. */
export const GroupWritten = Group.extend({
  warnings: z
    .array(z.object({ code: z.literal('ip_range_not_public'), ip_range: z.string(), message: z.string() }))
    .meta({ description: 'Ranges accepted that no client on the internet comes from (private, loopback, link-local, CGNAT, reserved): they match only requests from a private network or a local run.' }),
}).meta({ id: 'GroupWritten' });

export const GroupMember = z
  .object({
    user_id: z.string(),
    via: z.enum(['ip', 'domain', 'import']),
    claimed_at: z.string(),
    subscription_id: z.string(),
    status: z.string(),
    product_id: z.string(),
    plan_id: z.string(),
  })
  .meta({ id: 'GroupMember' });

export const GroupReport = z
  .object({
    groups: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        plan_id: z.string(),
        seat_limit: z.number().int().nullable(),
        seats_used: z.number().int(),
        owner_subscription_id: z.string().nullable(),
      }),
    ),
    by_plan: z.array(
      z.object({
        role: z.enum(['owner', 'user']),
        product_id: z.string(),
        plan_id: z.string(),
        subscriptions: z.number().int(),
        active: z.number().int(),
      }),
    ),
  })
  .meta({ id: 'GroupReport', description: 'Seats per group; owners and users, apart, by product and plan (live)' });

export const AccessGroup = z
  .object({
    id: z.string(),
    group_id: z.string().meta({ description: 'Same as `id`: the value to send to `POST /v1/access/claim`' }),
    name: z.string(),
    plan_id: z.string(),
    product_id: z.string(),
    via: z.enum(['ip', 'domain']),
  })
  .meta({ id: 'AccessGroup' });

export const Access = z
  .object({ groups: z.array(AccessGroup) })
  .meta({ id: 'Access', description: 'The groups the caller qualifies for' });

export const AccessClaim = z.strictObject({ group_id: Id('grp') }).meta({ id: 'AccessClaim' });
