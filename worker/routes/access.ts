import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import type { AppEnv } from '../env';
import { AppError, notFound } from '../errors';
import { validate } from '../validation';
import { commonProblems, json, problem } from '../schemas/common';
import { Access, AccessClaim } from '../schemas/groups';
import { Subscription, subscriptionJsonAt, subscriptionRawJson } from '../schemas/subscription';
import { requireUser } from '../middleware/auth';
import { newId } from '../domain/crypto';
import { clientAddress, toBytes } from '../domain/ip-ranges';
import { qualifyingDomain } from '../domain/email-domains';
import { addPeriod } from '../domain/periods';
import type { Duration } from '../db/schema';
import { findClaim } from '../db/groups';
import { lookupAccess, type AccessMatch } from '../db/group-access';
import { claimSeat } from '../db/group-claims';
import { newSubscriptionRow, type NewSubscription } from '../db/subscriptions';
import { afterEvent, executionContext } from '../lib/after-commit';
import { accessTable, matchAccess } from '../db/access-table';

const tags = ['Group access'];

/**
 * The caller's qualifications: the client IP is `CF-Connecting-IP` only (set by Cloudflare;
 * `X-Forwarded-For`, `X-Real-IP` and the like are never read), the domain only from a verified
 * email in a valid user token.
 */
function qualifications(c: { req: { header(name: string): string | undefined }; get(key: 'user'): AppEnvUser }) {
  const ip = clientAddress(c.req.header('CF-Connecting-IP'));
  const user = c.get('user');
  return { address: ip ? toBytes(ip.value) : null, domain: qualifyingDomain(user), user };
}
type AppEnvUser = AppEnv['Variables']['user'];

const accessJson = (m: Pick<AccessMatch, 'id' | 'name' | 'plan_id' | 'product_id' | 'via'>) => ({
  id: m.id,
  group_id: m.id,
  name: m.name,
  plan_id: m.plan_id,
  product_id: m.product_id,
  via: m.via,
});

/** `/v1/access` */
export const access = new Hono<AppEnv>()
  .get(
    '/',
    describeRoute({
      tags,
      summary: 'The groups this caller qualifies for',
      description:
        'By client IP (`CF-Connecting-IP`, IPv4-mapped IPv6 read as IPv4) and by the verified email domain of the user token. ' +
        "Answered from a per-isolate sorted table of the tenant's rules (binary search), re-checked against D1 at most every 5 s " +
        'and dropped at once on the isolate that changes a group: at most one D1 round trip. Seats and claims are checked by the claim itself.',
      responses: { 200: json('Qualifying groups, each with `via`', Access), ...commonProblems },
    }),
    async (c) => {
      const ip = clientAddress(c.req.header('CF-Connecting-IP'));
      const domain = qualifyingDomain(c.get('user'));
      if (!ip && !domain) return c.json({ groups: [] });
      const tenantId = c.get('tenant').id;
      const table = await accessTable(c.get('d1'), tenantId);
      if (!table.tooLarge) return c.json({ groups: matchAccess(table, ip?.value ?? null, domain).map(accessJson) });
      const matches = await lookupAccess(c.get('d1'), { tenantId, address: ip ? toBytes(ip.value) : null, domain, userId: null });
      return c.json({ groups: matches.map(accessJson) });
    },
  )
  .post(
    '/claim',
    describeRoute({
      tags,
      summary: 'Claim a seat: the subscription on the group plan, at no charge',
      description: 'Once per user and group: a repeat answers `200` with the same subscription.',
      responses: {
        201: json('The new subscription', Subscription),
        200: json('The subscription of an earlier claim', Subscription),
        ...commonProblems,
        401: problem('`login_required`: a user token is required'),
        403: problem('`not_qualified`: neither the client IP nor a verified email domain qualifies for this group'),
        404: problem('Unknown group'),
        409: problem('`seats_exhausted`: every seat of the group is taken'),
      },
    }),
    validate('json', AccessClaim),
    async (c) => {
      const user = requireUser(c);
      const { group_id: groupId } = c.req.valid('json');
      const tenantId = c.get('tenant').id;
      const q = qualifications(c);
      const now = Date.now();
      const [match] =
        q.address || q.domain ? await lookupAccess(c.get('d1'), { tenantId, address: q.address, domain: q.domain, userId: user.id, groupId, now }) : [];
      if (!match) {
        // Not (or no longer) qualified: an earlier claim still answers with its subscription.
        const earlier = await findClaim(c.get('d1'), tenantId, groupId, user.id);
        if (!earlier) throw notFound('group', 'group_id');
        if (earlier.subscription) return c.json(subscriptionRawJson(earlier.subscription), 200);
        throw new AppError('forbidden', {
          code: 'not_qualified',
          detail: 'Neither your network (IP address) nor a verified email domain qualifies for this group.',
          errors: [{ path: 'group_id', message: 'you do not qualify for this group' }],
        });
      }
      const subscription: NewSubscription = {
        id: newId('sub'),
        tenantId,
        userId: user.id,
        productId: match.product_id,
        planId: match.plan_id,
        status: 'active',
        source: 'group',
        collection: 'charge_card',
        groupId,
        offerId: null,
        code: null,
        reactivation: false,
        discountedCycles: 0,
        price: 0,
        discount: 0,
        amountDue: 0,
        currency: match.currency,
        periodStart: now,
        periodEnd: addPeriod(now, match.duration as Duration),
        holdExpiresAt: null,
        now,
      };
      const claimed = await claimSeat(c.get('d1'), {
        groupId,
        via: match.via,
        email: user.email,
        emailVerified: user.emailVerified,
        subscription,
        eventObject: subscriptionJsonAt(newSubscriptionRow(subscription), now),
        unreleasedHold: match.unreleased_hold === 1,
      });
      if (claimed.kind === 'seats_exhausted') {
        throw new AppError('conflict', { code: 'seats_exhausted', detail: 'Every seat of this group is taken.', errors: [{ path: 'group_id', message: 'no seat left' }] });
      }
      if (claimed.kind === 'already_subscribed') {
        throw new AppError('conflict', {
          code: 'already_subscribed',
          detail: 'This user already has a live subscription on the product of this group\'s plan.',
          errors: [{ path: 'group_id', message: 'already subscribed to this product' }],
        });
      }
      afterEvent(c.env, executionContext(c), tenantId, claimed.evented);
      return c.json(subscriptionRawJson(claimed.row), claimed.created ? 201 : 200);
    },
  );
