import { z } from 'zod';

export const CodeGuessingBlock = z
  .object({
    by: z.enum(['ip', 'user']).meta({ description: 'What is blocked: a client IP (`CF-Connecting-IP`) or a user (the user token `sub`).' }),
    value: z.string().meta({ description: 'The IP address (normalised) or the user id.' }),
    failures: z.number().int().meta({ description: 'Failed code attempts within the last 60 s.' }),
    blocked_until: z.string().meta({ description: 'When requests with a code are answered again (ISO 8601).' }),
    retry_after: z.number().int().meta({ description: 'Seconds until then (the `Retry-After` the client gets).' }),
  })
  .meta({ id: 'CodeGuessingBlock' });

export const CodeGuessingBlocks = z.object({ data: z.array(CodeGuessingBlock) }).meta({ id: 'CodeGuessingBlocks' });
