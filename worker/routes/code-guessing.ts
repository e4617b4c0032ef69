import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import type { AppEnv } from '../env';
import { commonProblems, json } from '../schemas/common';
import { CodeGuessingBlocks } from '../schemas/code-guessing';
import { MAX_FAILURES, WINDOW_MS, type BlockInfo } from '../durable/code-attempts';

const blockJson = (b: BlockInfo, now: number) => {
  const user = b.key.startsWith('user:');
  return {
    by: user ? ('user' as const) : ('ip' as const),
    value: b.key.slice(user ? 'user:'.length : 'ip:'.length),
    failures: b.failures,
    blocked_until: new Date(b.until).toISOString(),
    retry_after: Math.max(1, Math.ceil((b.until - now) / 1000)),
  };
};

/** `/admin/v1/code-guessing`: what a publisher's support team sees of code-guessing blocks. */
export const codeGuessingAdmin = new Hono<AppEnv>().get(
  '/blocks',
  describeRoute({
    tags: ['Code guessing'],
    summary: 'List the current code-guessing blocks of this tenant',
    description: `A client IP or user with ${MAX_FAILURES} failed codes (code_not_found, code_invalid_format) within ${WINDOW_MS / 1000} s on POST /v1/quotes or POST /v1/subscriptions gets 429 rate_limited on requests with a code until the window has passed. This lists who is blocked now.`,
    responses: { 200: json('The current blocks, latest first', CodeGuessingBlocks), ...commonProblems },
  }),
  async (c) => {
    const stub = c.env.CODE_ATTEMPTS.get(c.env.CODE_ATTEMPTS.idFromName(c.get('tenant').id));
    const blocks = (await stub.blocks()) as BlockInfo[];
    const now = Date.now();
    return c.json({ data: blocks.map((b) => blockJson(b, now)) });
  },
);
