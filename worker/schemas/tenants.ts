import { z } from 'zod';
import { ListQuery } from './common';

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const Origin = z
  .string()
  .max(300)
  .refine((value) => {
    if (value === '*') return true;
    try {
      const url = new URL(value);
      return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value;
    } catch {
      return false;
    }
  }, 'must be an origin such as https://news.example.com (scheme, host and port; no path or trailing slash), or *');

const Name = z.string().trim().min(1, 'must not be empty').max(200);
const TimeZone = z.string().max(64).refine(isTimeZone, 'must be an IANA time zone such as Asia/Kolkata');
const AllowedOrigins = z.array(Origin).max(50);
const HoldMinutes = z
  .number()
  .int('must be a whole number of minutes')
  .min(1, 'must be at least 1 minute')
  .max(1440, 'must be at most 1440 minutes (24 h)');

export const TenantCreate = z
  .strictObject({
    name: Name,
    time_zone: TimeZone.default('UTC'),
    allowed_origins: AllowedOrigins.default([]),
  })
  .meta({ id: 'TenantCreate' });

export const TenantCreated = z
  .object({
    id: z.string(),
    name: z.string(),
    time_zone: z.string(),
    allowed_origins: z.array(z.string()),
    secret_key: z.string().meta({ description: 'sk_… for the admin API. Shown once.' }),
    publishable_key: z.string().meta({ description: 'pk_… for the public API and the widget. Shown once.' }),
    user_token_secret: z.string().meta({ description: 'HS256 secret for user tokens. Shown once.' }),
  })
  .meta({ id: 'TenantCreated' });

/** `GET /admin/v1/tenant`: the tenant's own settings. */
export const TenantSettings = z
  .object({
    id: z.string(),
    name: z.string(),
    time_zone: z.string().meta({ description: 'IANA time zone in which "today" is judged' }),
    allowed_origins: z.array(z.string()).meta({ description: 'Origins allowed to call the public API from a browser, or "*"' }),
    checkout_hold_minutes: z.number().int().meta({ description: 'Minutes a pending checkout holds its counts (1–1440)' }),
  })
  .meta({ id: 'TenantSettings' });

/** `PATCH /admin/v1/tenant`: any of the settings. */
export const TenantSettingsUpdate = z
  .strictObject({
    name: Name.optional(),
    time_zone: TimeZone.optional(),
    allowed_origins: AllowedOrigins.optional(),
    checkout_hold_minutes: HoldMinutes.optional(),
  })
  .meta({ id: 'TenantSettingsUpdate' });

/** The operator's view of a tenant. */
export const PlatformTenant = TenantSettings.extend({
  disabled: z.boolean(),
  disabled_at: z.string().nullable(),
  created_at: z.string(),
}).meta({ id: 'PlatformTenant' });

export const PlatformTenantUpdate = z.strictObject({ disabled: z.boolean() }).meta({ id: 'PlatformTenantUpdate' });

/** Like every list (`limit`, `starting_after`); `after` is accepted as a synonym of `starting_after`. */
export const PlatformTenantListQuery = ListQuery.extend({ after: z.string().max(64).optional() });

/** `POST /admin/v1/user-token-secrets` */
export const UserTokenSecretCreated = z
  .object({
    version: z.number().int().meta({ description: 'Put it in the JWT header as `kid` (a string, e.g. "2")' }),
    secret: z.string().meta({ description: 'HS256 secret of this version. Shown once; derived, never stored.' }),
    created_at: z.string(),
    previous_version_valid_until: z.string().nullable().meta({ description: 'The version before keeps verifying until then (24 h)' }),
  })
  .meta({ id: 'UserTokenSecretCreated' });
