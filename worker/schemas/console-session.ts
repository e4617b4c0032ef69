import { z } from 'zod';

export const ConsoleSessionCreate = z
  .strictObject({
    secret_key: z.string().min(1, 'must not be empty').max(200).meta({ description: 'The tenant’s sk_… key; never stored, never echoed' }),
  })
  .meta({ id: 'ConsoleSessionCreate' });

export const ConsoleSession = z
  .object({
    tenant: z.object({ id: z.string(), name: z.string() }),
    expires_at: z.string().meta({ description: 'When the session ends (12 h after sign-in)' }),
  })
  .meta({ id: 'ConsoleSession' });
