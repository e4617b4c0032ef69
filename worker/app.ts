import { Hono } from 'hono';
import type { AppEnv } from './env';
import { onError, onNotFound } from './middleware/errors';

export const app = new Hono<AppEnv>();
app.onError(onError);
app.notFound(onNotFound);
app.get('/health', (c) => c.json({ ok: true }));
