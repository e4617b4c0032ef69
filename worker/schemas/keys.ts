import { z } from 'zod';
import { DEFAULT_EXPIRE_CURRENT_HOURS, MAX_EXPIRE_CURRENT_HOURS } from '../domain/tenant-auth';

export const KeyKindSchema = z.enum(['secret', 'publishable']);

export const ApiKey = z
  .object({
    id: z.string().meta({ description: 'The key id (also part of the key value)' }),
    kind: KeyKindSchema,
    prefix: z.string().meta({ description: 'The value’s first characters (`sk_` + key id), enough to tell keys apart' }),
    created_at: z.string(),
    expires_at: z.string().nullable().meta({ description: 'Set when a newer key of the kind replaced it' }),
    revoked_at: z.string().nullable(),
    last_used_at: z.string().nullable().meta({ description: 'Approximate: written at most once a minute per key and edge isolate' }),
  })
  .meta({ id: 'ApiKey' });

export const ApiKeyList = z.object({ data: z.array(ApiKey) }).meta({ id: 'ApiKeyList' });

export const ApiKeyCreate = z
  .strictObject({
    kind: KeyKindSchema,
    expire_current_in_hours: z
      .number()
      .int('must be a whole number of hours')
      .min(0, 'must be between 0 and 168')
      .max(MAX_EXPIRE_CURRENT_HOURS, 'must be between 0 and 168')
      .default(DEFAULT_EXPIRE_CURRENT_HOURS)
      .meta({ description: 'Hours the current keys of that kind keep working (0: stop at once)' }),
  })
  .meta({ id: 'ApiKeyCreate' });

export const ApiKeyCreated = ApiKey.extend({
  secret_key: z.string().optional().meta({ description: 'The new sk_… value (kind secret). Shown once.' }),
  publishable_key: z.string().optional().meta({ description: 'The new pk_… value (kind publishable). Shown once.' }),
}).meta({ id: 'ApiKeyCreated' });

export const KeyIdParam = z.object({ id: z.string().regex(/^[0-9a-z]{12}$/, 'must be a key id (12 characters)') });
