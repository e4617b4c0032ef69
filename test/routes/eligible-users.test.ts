import { describe, expect, it } from 'vitest';
import { env } from 'cloudflare:test';
import { admin, createTenant, type TestTenant } from '../helpers';
import { csvRows, insertOffer, offerRow, waitForJob } from '../bulk-helpers';
import { runJob } from '../../worker/jobs/runner';
import { bulkDb, advanceJob, insertEligibleUsers } from '../../worker/db/bulk';
import { insertJobStatement } from '../../worker/db/jobs';
import { asUser, createOffer } from '../offers-helpers';
import { createCatalog } from '../helpers';

async function listOf(offerId: string) {
  const { results } = await env.DB.prepare('SELECT user_id, email FROM eligible_users WHERE offer_id = ? ORDER BY user_id, email').bind(offerId).all();
  return results;
}

async function upload(tenant: TestTenant, offerId: string, csv: string, type = 'text/csv') {
  return admin(tenant).raw('PUT', `/offers/${offerId}/eligible-users`, csv, type);
}

/** A list job whose message is never sent: the test drives the runner itself. */
async function manualJob(tenant: TestTenant, offerId: string, csv: string) {
  const bytes = new TextEncoder().encode(csv);
  const id = `job_manual${Math.random().toString(36).slice(2, 12)}`;
  const key = `uploads/${tenant.id}/${id}.csv`;
  await env.UPLOADS.put(key, bytes);
  const headerEnd = csv.indexOf('\n') + 1;
  await insertJobStatement(bulkDb(env.DB), {
    id,
    tenantId: tenant.id,
    kind: 'eligible_users',
    offerId,
    planId: null,
    inputKey: key,
    inputBytes: bytes.byteLength,
    byteOffset: headerEnd,
    line: 2,
    total: 0,
    params: { columns: { userId: 0, email: 1, columnCount: 2 } },
    now: Date.now(),
  }).run();
  return id;
}

const jobRow = (id: string) => env.DB.prepare('SELECT status, cursor, processed, failed, byte_offset, line FROM jobs WHERE id = ?').bind(id).first<any>();

describe('PUT /admin/v1/offers/{id}/eligible-users', () => {
  it('processes a list as a job: 202 {job}, then succeeded with the rows stored and the offer published', async () => {
    const tenant = await createTenant();
    const offerId = await insertOffer(tenant);
    const res = await upload(tenant, offerId, 'user_id,email\nu1,a@example.com\nu2,b@example.com\n');
    expect(res.status).toBe(202);
    expect(res.json.job).toMatchObject({ status: 'queued', total: 2, processed: 0, failed: 0 });
    expect(res.json.job.id).toMatch(/^job_/);
    const job = await waitForJob(tenant, res.json.job.id);
    expect(job).toMatchObject({ id: res.json.job.id, status: 'succeeded', total: 2, processed: 2, failed: 0 });
    expect(await listOf(offerId)).toEqual([
      { user_id: 'u1', email: 'a@example.com' },
      { user_id: 'u2', email: 'b@example.com' },
    ]);
    expect(await offerRow(offerId)).toMatchObject({ state: 'published', eligible_users_count: 2 });
  });

  it('reads BOM, CRLF, quoted fields and columns in any order; collapses duplicates; reports bad rows by line', async () => {
    const tenant = await createTenant();
    const offerId = await insertOffer(tenant);
    const csv =
      '\ufeffEmail,User_ID\r\n' + // 1
      'A@Example.com,u1\r\n' + // 2
      '"b@example.com","u,2"\r\n' + // 3
      '\r\n' + // 4: empty row
      'not-an-email,u3\r\n' + // 5: invalid email
      'a@example.com,u1\r\n' + // 6: duplicate
      'c@example.com,u4,extra\r\n' + // 7: wrong column count
      '"d@example.com","u""5\r\nx"\r\n' + // 8-9: quoted quote and newline
      ',u6\r\n' + // 10: user id only
      'e@example.com,\r\n'; // 11: email only
    const res = await upload(tenant, offerId, csv);
    expect(res.status).toBe(202);
    const job = await waitForJob(tenant, res.json.job.id);
    expect(job).toMatchObject({ status: 'succeeded', total: 9, processed: 9, failed: 3 });
    expect(await listOf(offerId)).toEqual([
      { user_id: null, email: 'e@example.com' },
      { user_id: 'u"5\r\nx', email: 'd@example.com' },
      { user_id: 'u,2', email: 'b@example.com' },
      { user_id: 'u1', email: 'a@example.com' },
      { user_id: 'u6', email: null },
    ]);
    const errors = await admin(tenant).get(`/jobs/${job.id}/errors.csv`);
    expect(errors.status).toBe(200);
    expect(errors.headers.get('content-type')).toMatch(/^text\/csv/);
    const rows = csvRows(errors.text);
    expect(rows[0]).toEqual(['line', 'reason', 'row']);
    expect(rows.slice(1).map((r) => [r[0], r[1]])).toEqual([
      ['4', 'empty row'],
      ['5', 'invalid email'],
      ['7', 'wrong column count: expected 2'],
    ].map(([l, r]) => [l, expect.stringContaining(r!)]));
    expect(await offerRow(offerId)).toMatchObject({ eligible_users_count: 5 });
  });

  it('end to end: an offer for a list is shown and applies only to the users uploaded, status active after', async () => {
    const tenant = await createTenant();
    const { product, plans } = await createCatalog(tenant);
    const offer = await createOffer(tenant, { applies_to: { product_ids: [product.id], durations: ['1m'] }, eligibility: 'list' });
    const res = await upload(tenant, offer.id, 'user_id,email\nlisted-1,\n,listed2@x.com\n');
    // (in_progress while the job runs is checked deterministically in the test below)
    await waitForJob(tenant, res.json.job.id);
    const after = (await admin(tenant).get(`/offers/${offer.id}`)).json;
    expect(after).toMatchObject({ status: 'active', eligible_users: 2 });
    const byId = await (await asUser(tenant, 'listed-1')).get(`/offers?product_id=${product.id}`);
    expect(byId.json.data.map((o: any) => o.id)).toContain(offer.id);
    const byEmail = await (await asUser(tenant, 'someone', { email: 'Listed2@x.com', email_verified: true })).get(`/offers?product_id=${product.id}`);
    expect(byEmail.json.data.map((o: any) => o.id)).toContain(offer.id);
    const stranger = await asUser(tenant, 'stranger');
    expect((await stranger.get(`/offers?product_id=${product.id}`)).json.data.map((o: any) => o.id)).not.toContain(offer.id);
    const quote = await stranger.post('/quotes', { plan_id: plans['1m'].id, code: offer.code });
    expect(quote.status).toBe(422);
    expect(quote.json.code).toBe('not_eligible');
    expect((await (await asUser(tenant, 'listed-1')).post('/quotes', { plan_id: plans['1m'].id, code: offer.code })).status).toBe(200);
  });

  it('cuts chunks by size too, so long rows never make one oversized D1 value', async () => {
    const tenant = await createTenant();
    const offerId = await insertOffer(tenant);
    const notes = 'n'.repeat(50_000);
    const csv = 'user_id,notes\n' + Array.from({ length: 12 }, (_, i) => `long${i},${notes}`).join('\n') + '\n';
    const job = await waitForJob(tenant, (await upload(tenant, offerId, csv)).json.job.id);
    expect(job).toMatchObject({ status: 'succeeded', processed: 12, failed: 0 });
    expect((await jobRow(job.id)).cursor).toBeGreaterThanOrEqual(3);
    expect(await listOf(offerId)).toHaveLength(12);
  });

  it('adds a later upload to the list', async () => {
    const tenant = await createTenant();
    const offerId = await insertOffer(tenant);
    await waitForJob(tenant, (await upload(tenant, offerId, 'email\na@x.com\nb@x.com\n')).json.job.id);
    const second = await waitForJob(tenant, (await upload(tenant, offerId, 'email\nb@x.com\nc@x.com\n')).json.job.id);
    expect(second).toMatchObject({ status: 'succeeded', processed: 2, failed: 0 });
    expect((await listOf(offerId)).map((r: any) => r.email)).toEqual(['a@x.com', 'b@x.com', 'c@x.com']);
    expect(await offerRow(offerId)).toMatchObject({ state: 'published', eligible_users_count: 3 });
  });

  it('keeps the offer in_progress while the list is processed', async () => {
    const tenant = await createTenant();
    const offerId = await insertOffer(tenant);
    const id = await manualJob(tenant, offerId, 'user_id,email\nu1,a@x.com\nu2,b@x.com\n');
    await env.DB.prepare(`UPDATE offers SET state = 'in_progress' WHERE id = ?`).bind(offerId).run();
    expect(await runJob(env, id, { uploadChunkRows: 1, maxChunks: 1 })).toBe('more');
    expect(await offerRow(offerId)).toMatchObject({ state: 'in_progress', eligible_users_count: 1 });
    expect(await runJob(env, id)).toBe('done');
    expect(await offerRow(offerId)).toMatchObject({ state: 'published', eligible_users_count: 2 });
  });

  it('resumes after a stop mid-way without losing or doubling a row, and a replayed chunk writes nothing', async () => {
    const tenant = await createTenant();
    const offerId = await insertOffer(tenant);
    const lines = Array.from({ length: 23 }, (_, i) => `u${i},user${i}@x.com`);
    lines.splice(7, 0, 'bad,not-an-email');
    const id = await manualJob(tenant, offerId, `user_id,email\n${lines.join('\n')}\n`);
    // One chunk of 5 rows per run, as if each run crashed right after its chunk.
    let runs = 0;
    while ((await runJob(env, id, { uploadChunkRows: 5, maxChunks: 1 })) === 'more') {
      runs++;
      const row = await jobRow(id);
      expect(row.cursor).toBe(runs);
      expect(row.processed).toBe(runs * 5);
    }
    expect(runs).toBe(4); // 24 rows: four chunks of 5, then the last 4 rows and the end
    expect(await jobRow(id)).toMatchObject({ status: 'succeeded', processed: 24, failed: 1 });
    expect((await listOf(offerId)).length).toBe(23);

    // Replaying the first chunk (a re-delivered message with the old cursor) changes nothing.
    const db = bulkDb(env.DB);
    const at = { jobId: id, cursor: 0 };
    const results = await db.batch([
      insertEligibleUsers(db, at, { tenantId: tenant.id, offerId, now: Date.now() }, [['u-new', 'new@x.com']])!,
      advanceJob(db, at, { byteOffset: 0, line: 2, processed: 1, failed: 0, now: Date.now() }),
    ]);
    expect(results.map((r) => r.meta.changes)).toEqual([0, 0]);
    expect((await listOf(offerId)).length).toBe(23);
    expect(await jobRow(id)).toMatchObject({ processed: 24 });
  });

  it('two runs of the same job at once write every row exactly once', async () => {
    const tenant = await createTenant();
    const offerId = await insertOffer(tenant);
    const lines = Array.from({ length: 40 }, (_, i) => `u${i},user${i}@x.com`);
    const id = await manualJob(tenant, offerId, `user_id,email\n${lines.join('\n')}\n`);
    await Promise.all([runJob(env, id, { uploadChunkRows: 3 }), runJob(env, id, { uploadChunkRows: 3 })]);
    while ((await runJob(env, id, { uploadChunkRows: 3 })) === 'more');
    expect(await jobRow(id)).toMatchObject({ status: 'succeeded', processed: 40, failed: 0 });
    expect((await listOf(offerId)).length).toBe(40);
  });

  it('answers 400 for an empty body or a header without user_id/email, 415 for JSON, 404 for an unknown offer', async () => {
    const tenant = await createTenant();
    const offerId = await insertOffer(tenant);
    const empty = await upload(tenant, offerId, '');
    expect(empty.status).toBe(400);
    expect(empty.json).toMatchObject({ code: 'empty_upload', errors: [{ path: 'body' }] });
    const header = await upload(tenant, offerId, 'name,phone\nx,1\n');
    expect(header.status).toBe(400);
    expect(header.headers.get('content-type')).toMatch(/problem\+json/);
    expect(header.json).toMatchObject({ code: 'invalid_csv_header', errors: [{ path: 'body.header' }] });
    const json = await upload(tenant, offerId, '{"a":1}', 'application/json');
    expect(json.status).toBe(415);
    const unknown = await upload(tenant, 'offer_doesnotexist1', 'email\na@x.com\n');
    expect(unknown.status).toBe(404);
    const other = await createTenant();
    expect((await upload(other, offerId, 'email\na@x.com\n')).status).toBe(404);
    expect(await offerRow(offerId)).toMatchObject({ state: 'published', eligible_users_count: 0 });
  });

  // Issue 13: a row over 64 KB gave hundreds of error rows, lost the row after it and still "succeeded".
  it.each([
    ['2 MB', 2 * 1024 * 1024],
    ['10 MB', 10 * 1024 * 1024],
  ])('a %s row is one error naming its line; the rows after it are stored', async (_name, bytes) => {
    const tenant = await createTenant();
    const offerId = await insertOffer(tenant);
    const res = await upload(tenant, offerId, `user_id\nbefore\n${'w'.repeat(bytes)}\nafter-wide\n`);
    expect(res.status, res.text).toBe(202);
    const job = await waitForJob(tenant, res.json.job.id, 60_000);
    expect(job).toMatchObject({ status: 'succeeded', total: 3, processed: 3, failed: 1 });
    const errors = csvRows((await admin(tenant).get(`/jobs/${job.id}/errors.csv`)).text);
    expect(errors.slice(1).map((r) => [r[0], r[1]])).toEqual([['3', 'row is longer than 65536 bytes']]);
    expect(await listOf(offerId)).toEqual([
      { user_id: 'after-wide', email: null },
      { user_id: 'before', email: null },
    ]);
  });

  it('reports the lines of a file that is not valid UTF-8 instead of storing replacement characters', async () => {
    const tenant = await createTenant();
    const offerId = await insertOffer(tenant);
    const enc = (t: string) => Array.from(new TextEncoder().encode(t));
    const body = new Uint8Array([
      ...enc('user_id,email\n'),
      ...enc('jürgen,j@example.com\n'), // 2: valid UTF-8
      ...[0x6a, 0xfc, 0x72, 0x67, 0x65, 0x6e], ...enc(',k@example.com\n'), // 3: Latin-1 "jürgen"
      ...enc('ok,'), 0xe9, ...enc('@example.com\n'), // 4: Latin-1 é in the email
      ...enc('last,l@example.com\n'), // 5
    ]);
    const res = await admin(tenant).raw('PUT', `/offers/${offerId}/eligible-users`, body, 'text/csv');
    expect(res.status, res.text).toBe(202);
    const job = await waitForJob(tenant, res.json.job.id);
    expect(job).toMatchObject({ status: 'succeeded', processed: 4, failed: 2 });
    const errors = csvRows((await admin(tenant).get(`/jobs/${job.id}/errors.csv`)).text);
    expect(errors.slice(1).map((r) => [r[0], r[1]])).toEqual([
      ['3', 'the row is not valid UTF-8'],
      ['4', 'the row is not valid UTF-8'],
    ]);
    expect(await listOf(offerId)).toEqual([
      { user_id: 'jürgen', email: 'j@example.com' },
      { user_id: 'last', email: 'l@example.com' },
    ]);
  });

  it('refuses a header line that is not valid UTF-8 (400 invalid_csv_header)', async () => {
    const tenant = await createTenant();
    const offerId = await insertOffer(tenant);
    const res = await admin(tenant).raw('PUT', `/offers/${offerId}/eligible-users`, new Uint8Array([0x75, 0xff, 0x0a, 0x61, 0x0a]), 'text/csv');
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: 'invalid_csv_header', errors: [{ path: 'body.header', message: expect.stringMatching(/UTF-8/) }] });
  });

  it('answers 413 payload_too_large for a body over the limit', async () => {
    const tenant = await createTenant();
    const offerId = await insertOffer(tenant);
    // A declared length over the limit is refused before a byte is read.
    const big = await fetchWithLength(tenant, offerId, 100 * 1024 * 1024 + 1);
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ code: 'payload_too_large' });
  });
});

async function fetchWithLength(tenant: TestTenant, offerId: string, length: number) {
  const { SELF } = await import('cloudflare:test');
  // A stream that would produce `length` bytes; the worker must refuse on Content-Length alone.
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      if (sent >= length) return c.close();
      const n = Math.min(65536, length - sent);
      sent += n;
      c.enqueue(new Uint8Array(n).fill(97));
    },
  });
  const fixed = new FixedLengthStream(length);
  body.pipeTo(fixed.writable).catch(() => {});
  return SELF.fetch(`https://offer-checkout.test/admin/v1/offers/${offerId}/eligible-users`, {
    method: 'PUT',
    headers: { Authorization: `Bearer ${tenant.secret_key}`, 'Content-Type': 'text/csv', 'Content-Length': String(length) },
    body: fixed.readable,
  });
}
