/** Types of verify-webhook.mjs, for the TypeScript test that imports it. */
export function verifyWebhook(
  rawBody: string,
  header: string | null,
  secret: string,
  toleranceSeconds?: number,
  nowSeconds?: number,
): Promise<{ id: string; type: string; created_at: string; data: { object: unknown } }>;
