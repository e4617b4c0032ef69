/**
 * What a route does once its batch committed: get the webhook events it wrote delivered at once
 * (the cron sweep is the fallback), on the request's execution context when it has one.
 */
import type { Bindings } from '../env';
import { kickDeliveries } from '../db/webhook-outbox';

/** Kicks webhook deliveries after a committed change that wrote an event (never throws). */
export function afterEvent(env: Bindings, ctx: ExecutionContext | undefined, tenantId: string, evented: boolean): void {
  if (evented) void kickDeliveries(env, ctx, tenantId);
}

export function executionContext(c: { readonly executionCtx: unknown }): ExecutionContext | undefined {
  try {
    return c.executionCtx as ExecutionContext;
  } catch {
    return undefined;
  }
}
