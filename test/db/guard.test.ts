import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { D1LimitError, guardD1, assertStatementWithinLimits } from '../../worker/db/guard';

describe('D1 production limits guard', () => {
  it('refuses a statement with more than 100 bound parameters, as D1 does', () => {
    const db = guardD1(env.DB);
    const placeholders = Array.from({ length: 101 }, () => '?').join(',');
    const stmt = db.prepare(`SELECT 1 WHERE 1 IN (${placeholders})`);
    expect(() => stmt.bind(...Array.from({ length: 101 }, (_, i) => i))).toThrow(D1LimitError);
  });

  it('accepts exactly 100 bound parameters', async () => {
    const db = guardD1(env.DB);
    const placeholders = Array.from({ length: 100 }, () => '?').join(',');
    const row = await db
      .prepare(`SELECT count(*) AS n FROM (SELECT 1 WHERE 1 IN (${placeholders}))`)
      .bind(...Array.from({ length: 100 }, (_, i) => i))
      .first<{ n: number }>();
    expect(row?.n).toBe(1);
  });

  it('refuses a statement over 100 KB', () => {
    const db = guardD1(env.DB);
    const sql = `SELECT '${'x'.repeat(100_001)}'`;
    expect(() => db.prepare(sql)).toThrow(D1LimitError);
    expect(() => assertStatementWithinLimits(`SELECT '${'é'.repeat(50_000)}'`, 0)).toThrow(D1LimitError);
  });

  it('counts round trips: a batch is one', async () => {
    const counter = { count: 0 };
    const db = guardD1(env.DB, counter);
    await db.batch([db.prepare('SELECT 1'), db.prepare('SELECT 2')]);
    await db.prepare('SELECT ?').bind(1).first();
    expect(counter.count).toBe(2);
  });
});
