/** Types of user-token.mjs, for the TypeScript test that imports it. */
export function signUserToken(
  user: { id: string; email?: string | null; emailVerified?: boolean },
  key: { secret: string; version?: number; ttlSeconds?: number; nowSeconds?: number },
): Promise<string>;
