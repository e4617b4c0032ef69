import { z } from 'zod';

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

export const TenantCreate = z
  .strictObject({
    name: z.string().trim().min(1, 'must not be empty').max(200),
    time_zone: z.string().max(64).refine(isTimeZone, 'must be an IANA time zone such as Asia/Kolkata').default('UTC'),
    allowed_origins: z.array(Origin).max(50).default([]),
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
