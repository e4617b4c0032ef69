import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';

describe('migrations', () => {
  it('have unique, increasing numbers', () => {
    const numbers = env.TEST_MIGRATIONS.map((m) => /^(\d+)_/.exec(m.name)?.[1]);
    expect(numbers.every((n) => n !== undefined)).toBe(true);
    expect(new Set(numbers).size).toBe(numbers.length);
    expect([...numbers].sort()).toEqual(numbers);
  });

  it('are applied to the test D1', async () => {
    const row = await env.DB.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'offers'").first<{ n: number }>();
    expect(row?.n).toBe(1);
  });
});
