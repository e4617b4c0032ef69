/** Types of publisher-backend.mjs, for the TypeScript test that imports it. */
export interface PublisherBackendConfig {
  offerCheckout: { base: string; secretKey: string; webhookSecret: string; userTokenSecret: string; userTokenVersion?: number };
  stripe: { secretKey: string; webhookSecret: string };
  currentUser: (request: Request) => Promise<{ id: string; email?: string; emailVerified?: boolean } | null>;
  onEvent: (event: { id: string; type: string; created_at: string; data: { object: any } }) => Promise<void>;
  fetch?: typeof fetch;
}
export function createPublisherBackend(config: PublisherBackendConfig): { fetch(request: Request): Promise<Response> };
