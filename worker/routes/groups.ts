import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import type { AppEnv } from '../env';
import { AppError, notFound, type FieldError } from '../errors';
import { validate } from '../validation';
import { IdParam, ListQuery, commonProblems, iso, json, listOf, problem } from '../schemas/common';
import { Group, GroupCreate, GroupMember, GroupReport, GroupUpdate, GroupWritten } from '../schemas/groups';
import { newId } from '../domain/crypto';
import { parseRange, validateRangeList, type IpRange } from '../domain/ip-ranges';
import { normaliseGroupDomain } from '../domain/email-domains';
import type { D1 } from '../db/guard';
import { catalogChanged } from '../db/catalog';
import { afterCommit } from '../lib/cache';
import { deleteGroup, findDomainConflict, findGroup, findRangeConflict, listGroups, loadGroupRefs, writeGroup, type GroupDetails } from '../db/groups';
import { groupReport, listMembers } from '../db/group-reports';

const tags = ['Groups'];

export const groupJson = (g: GroupDetails) => ({
  id: g.id,
  name: g.name,
  plan_id: g.plan_id,
  product_id: g.product_id,
  ip_ranges: g.ip_ranges,
  email_domains: g.email_domains,
  seat_limit: g.seat_limit,
  seats_used: g.seats_used,
  seats_available: g.seat_limit === null ? null : Math.max(0, g.seat_limit - g.seats_used),
  owner_subscription_id: g.owner_subscription_id,
  created_at: iso(g.created_at)!,
  updated_at: iso(g.updated_at)!,
});

/** The warnings of a written group's answer. */
type RangeWarnings = { code: 'ip_range_not_public'; ip_range: string; message: string }[];

/** Validates and normalises ranges: 400 for malformed or overlapping, 422 for unconfirmed broad ones; non-public ones warned about. */
function checkRanges(inputs: string[], confirmBroad: boolean): { ranges: IpRange[]; warnings: RangeWarnings } {
  const decision = validateRangeList(inputs, { confirmBroad });
  if (decision.kind === 'ok') return { ranges: decision.ranges, warnings: decision.warnings.map((w) => ({ code: w.code, ip_range: w.input, message: w.message })) };
  const errors: FieldError[] = decision.errors.map((e) => ({ path: `ip_ranges.${e.index}`, message: e.message }));
  const first = decision.errors[0]!;
  const onlyBroad = decision.errors.every((e) => e.code === 'ip_range_too_broad');
  throw new AppError(onlyBroad ? 'unprocessable' : 'invalid_input', {
    code: first.code,
    detail: first.message,
    errors,
    extra: { invalid_entries: decision.errors.map((e) => ({ index: e.index, entry: e.input, code: e.code, message: e.message })) },
  });
}

function checkDomains(inputs: string[]): string[] {
  const errors: FieldError[] = [];
  let code = '';
  const out = new Set<string>();
  inputs.forEach((raw, i) => {
    const d = normaliseGroupDomain(raw);
    if (d.kind === 'ok') out.add(d.domain);
    else {
      code ||= d.code;
      errors.push({ path: `email_domains.${i}`, message: d.reason });
    }
  });
  if (errors.length > 0) throw new AppError('invalid_input', { code, detail: errors[0]!.message, errors });
  return [...out];
}

async function checkRefs(db: D1, tenantId: string, planId: string, ownerSubscriptionId: string | null) {
  const { plan, owner } = await loadGroupRefs(db, tenantId, planId, ownerSubscriptionId);
  if (!plan) throw notFound('plan', 'plan_id');
  if (ownerSubscriptionId !== null) {
    if (!owner) throw notFound('subscription', 'owner_subscription_id');
    if (owner.product_id === plan.product_id) {
      const message = "the owner's subscription must be on a plan of another product (e.g. \"Group owners\") than the plan the group grants, so that owners and users are reported apart";
      throw new AppError('unprocessable', {
        code: 'owner_subscription_same_product',
        detail: message,
        errors: [{ path: 'owner_subscription_id', message }],
      });
    }
  }
  return plan;
}

/** Runs a group write and turns its conflicts into 409 problems naming the other group. */
async function write(db: D1, w: Parameters<typeof writeGroup>[1], rangeInputs: string[] = []): Promise<void> {
  let result;
  try {
    result = await writeGroup(db, w);
  } finally {
    catalogChanged(w.tenantId); // after the batch resolved: the access tables of this isolate
  }
  if (result.kind === 'written') return;
  {
    if (result.what === 'not_found') throw notFound('group', 'id');
    if (result.what === 'ip_range') {
      const conflict = await findRangeConflict(db, w.tenantId, w.id, w.ranges ?? []);
      // Name the entry as the publisher wrote it (the stored list is normalised and sorted).
      const index = conflict
        ? rangeInputs.findIndex((raw) => {
            const parsed = parseRange(raw);
            return parsed.kind === 'ok' && parsed.range.label === conflict.range;
          })
        : -1;
      const message = conflict
        ? `${conflict.range} overlaps ${conflict.conflicting_range} of group "${conflict.group_name}" (${conflict.group_id})`
        : 'a range overlaps a range of another group';
      throw new AppError('conflict', {
        code: 'ip_range_conflict',
        detail: message,
        errors: [{ path: index >= 0 ? `ip_ranges.${index}` : 'ip_ranges', message }],
        extra: conflict
          ? { conflict: { range: conflict.range, group_id: conflict.group_id, group_name: conflict.group_name, conflicting_range: conflict.conflicting_range } }
          : {},
      });
    }
    const conflict = await findDomainConflict(db, w.tenantId, w.id, w.domains ?? []);
    const message = conflict
      ? `${conflict.domain} already belongs to group "${conflict.group_name}" (${conflict.group_id})`
      : 'a domain already belongs to another group';
    throw new AppError('conflict', {
      code: 'email_domain_conflict',
      detail: message,
      errors: [{ path: 'email_domains', message }],
      extra: conflict ? { conflict: { domain: conflict.domain, group_id: conflict.group_id, group_name: conflict.group_name } } : {},
    });
  }
}

const groupProblems = {
  ...commonProblems,
  400: problem('Invalid input (`invalid_ip_range`, `ip_range_overlap`, `invalid_email_domain`, `free_mail_domain`): `errors` names each entry'),
  404: problem('Unknown group, plan or owner subscription'),
  409: problem('`ip_range_conflict`: a range overlaps another group\'s; `email_domain_conflict`: a domain belongs to another group'),
  422: problem('`ip_range_too_broad` (confirm with `confirm_broad_ranges`) or `owner_subscription_same_product`'),
};

/** `/admin/v1/groups` */
export const groups = new Hono<AppEnv>()
  .post(
    '/',
    describeRoute({ tags, summary: 'Create a group', responses: { 201: json('The group, with a warning for each non-public range', GroupWritten), ...groupProblems } }),
    validate('json', GroupCreate),
    async (c) => {
      const input = c.req.valid('json');
      const tenantId = c.get('tenant').id;
      const db = c.get('d1');
      const { ranges, warnings } = checkRanges(input.ip_ranges ?? [], input.confirm_broad_ranges === true);
      const domains = checkDomains(input.email_domains ?? []);
      await checkRefs(db, tenantId, input.plan_id, input.owner_subscription_id ?? null);
      const id = newId('grp');
      await write(db, {
        tenantId,
        id,
        now: Date.now(),
        create: { name: input.name, planId: input.plan_id, seatLimit: input.seat_limit ?? null, ownerSubscriptionId: input.owner_subscription_id ?? null },
        ranges,
        domains,
      }, input.ip_ranges);
      const group = await findGroup(db, tenantId, id);
      if (!group) throw notFound('group', 'id');
      return c.json({ ...groupJson(group), warnings }, 201);
    },
  )
  .get(
    '/',
    describeRoute({ tags, summary: 'List groups', responses: { 200: json('A page of groups', listOf(Group)), ...commonProblems } }),
    validate('query', ListQuery),
    async (c) => {
      const { limit, starting_after } = c.req.valid('query');
      const rows = await listGroups(c.get('d1'), c.get('tenant').id, limit, starting_after);
      const hasMore = rows.length > limit;
      const data = hasMore ? rows.slice(0, limit) : rows;
      return c.json({ data: data.map(groupJson), has_more: hasMore, next_cursor: hasMore ? data[data.length - 1]!.id : null });
    },
  )
  .get(
    '/report',
    describeRoute({
      tags,
      summary: 'Seats per group; group owners and group users, apart, by product and plan',
      responses: { 200: json('The report', GroupReport), ...commonProblems },
    }),
    async (c) => {
      const r = await groupReport(c.get('d1'), c.get('tenant').id);
      return c.json({ groups: r.groups, by_plan: r.byPlan });
    },
  )
  .get(
    '/:id',
    describeRoute({ tags, summary: 'Get a group', responses: { 200: json('The group', Group), 404: problem('Unknown group'), ...commonProblems } }),
    validate('param', IdParam('grp')),
    async (c) => {
      const group = await findGroup(c.get('d1'), c.get('tenant').id, c.req.valid('param').id);
      if (!group) throw notFound('group', 'id');
      return c.json(groupJson(group));
    },
  )
  .get(
    '/:id/members',
    describeRoute({ tags, summary: "A group's members (users who claimed a seat)", responses: { 200: json('A page of members', listOf(GroupMember)), 404: problem('Unknown group'), ...commonProblems } }),
    validate('param', IdParam('grp')),
    validate('query', ListQuery),
    async (c) => {
      const { id } = c.req.valid('param');
      const { limit, starting_after } = c.req.valid('query');
      const db = c.get('d1');
      const tenantId = c.get('tenant').id;
      const [group, rows] = await Promise.all([findGroup(db, tenantId, id), listMembers(c.get('d1'), tenantId, id, limit, starting_after)]);
      if (!group) throw notFound('group', 'id');
      const hasMore = rows.length > limit;
      const data = (hasMore ? rows.slice(0, limit) : rows).map((m) => ({ ...m, via: m.via as 'ip' | 'domain' | 'import', claimed_at: iso(m.claimed_at)! }));
      return c.json({ data, has_more: hasMore, next_cursor: hasMore ? data[data.length - 1]!.user_id : null });
    },
  )
  .get(
    '/:id/report',
    describeRoute({ tags, summary: "One group's seats, owner and users by product and plan", responses: { 200: json('The report', GroupReport), 404: problem('Unknown group'), ...commonProblems } }),
    validate('param', IdParam('grp')),
    async (c) => {
      const { id } = c.req.valid('param');
      const r = await groupReport(c.get('d1'), c.get('tenant').id, id);
      if (r.groups.length === 0) throw notFound('group', 'id');
      return c.json({ groups: r.groups, by_plan: r.byPlan });
    },
  )
  .patch(
    '/:id',
    describeRoute({ tags, summary: 'Update a group (lists given replace the current ones)', responses: { 200: json('The group, with a warning for each non-public range given', GroupWritten), ...groupProblems } }),
    validate('param', IdParam('grp')),
    validate('json', GroupUpdate),
    async (c) => {
      const { id } = c.req.valid('param');
      const input = c.req.valid('json');
      const tenantId = c.get('tenant').id;
      const db = c.get('d1');
      const checked = input.ip_ranges === undefined ? undefined : checkRanges(input.ip_ranges, input.confirm_broad_ranges === true);
      const ranges = checked?.ranges;
      const domains = input.email_domains === undefined ? undefined : checkDomains(input.email_domains);
      const current = await findGroup(db, tenantId, id);
      if (!current) throw notFound('group', 'id');
      if (input.plan_id !== undefined || input.owner_subscription_id !== undefined) {
        const ownerId = input.owner_subscription_id !== undefined ? input.owner_subscription_id : current.owner_subscription_id;
        await checkRefs(db, tenantId, input.plan_id ?? current.plan_id, ownerId);
      }
      await write(db, {
        tenantId,
        id,
        now: Date.now(),
        update: {
          ...(input.name !== undefined ? { name: input.name } : {}),
          ...(input.plan_id !== undefined ? { planId: input.plan_id } : {}),
          ...(input.seat_limit !== undefined ? { seatLimit: input.seat_limit } : {}),
          ...(input.owner_subscription_id !== undefined ? { ownerSubscriptionId: input.owner_subscription_id } : {}),
        },
        ...(ranges ? { ranges } : {}),
        ...(domains ? { domains } : {}),
      }, input.ip_ranges);
      const group = await findGroup(db, tenantId, id);
      if (!group) throw notFound('group', 'id');
      return c.json({ ...groupJson(group), warnings: checked?.warnings ?? [] });
    },
  )
  .delete(
    '/:id',
    describeRoute({
      tags,
      summary: 'Delete a group: its ranges and domains are released; members keep their subscriptions',
      responses: { 204: { description: 'Deleted' }, 404: problem('Unknown group'), ...commonProblems },
    }),
    validate('param', IdParam('grp')),
    async (c) => {
      const deleted = await afterCommit('catalog', c.get('tenant').id, deleteGroup(c.get('d1'), c.get('tenant').id, c.req.valid('param').id, Date.now()));
      if (!deleted) throw notFound('group', 'id');
      return c.body(null, 204);
    },
  );
