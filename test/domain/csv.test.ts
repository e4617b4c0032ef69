import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { csvCell, csvLine, isValidEmail, neutraliseCell, readHeader, readUserRow } from '../../worker/domain/csv';
import { readCsvRecords, type CsvItem } from '../../worker/jobs/csv-reader';

const encoder = new TextEncoder();

/** Streams `text` in chunks of `size` bytes (so records straddle chunk boundaries). */
function streamOf(bytes: Uint8Array, size = 7): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.byteLength) return controller.close();
      controller.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
}

async function readAll(text: string | Uint8Array, from = { offset: 0, line: 1 }, size = 7): Promise<CsvItem[]> {
  const bytes = typeof text === 'string' ? encoder.encode(text) : text;
  const items: CsvItem[] = [];
  for await (const item of readCsvRecords(streamOf(bytes.slice(from.offset), size), from)) items.push(item);
  return items;
}

const records = (items: CsvItem[]) => items.filter((i) => i.kind === 'record').map((i) => (i as any).fields);

describe('reading CSV uploads (csv-parse, streamed)', () => {
  it('strips a UTF-8 BOM and reads CRLF and LF line ends alike', async () => {
    const crlf = await readAll('\ufeffuser_id,email\r\nu1,a@x.com\r\nu2,b@x.com\r\n');
    const lf = await readAll('user_id,email\nu1,a@x.com\nu2,b@x.com');
    expect(records(crlf)).toEqual([['user_id', 'email'], ['u1', 'a@x.com'], ['u2', 'b@x.com']]);
    expect(records(lf)).toEqual(records(crlf));
  });

  it('reads quoted fields holding commas, doubled quotes and newlines, with their starting line', async () => {
    const items = await readAll('user_id,email\n"a,b",x@y.com\n"he said ""hi""",z@y.com\n"multi\nline",w@y.com\nlast,v@y.com\n');
    const recs = items.filter((i) => i.kind === 'record') as Array<Extract<CsvItem, { kind: 'record' }>>;
    expect(recs.map((r) => r.fields)).toEqual([
      ['user_id', 'email'],
      ['a,b', 'x@y.com'],
      ['he said "hi"', 'z@y.com'],
      ['multi\nline', 'w@y.com'],
      ['last', 'v@y.com'],
    ]);
    expect(recs.map((r) => r.line)).toEqual([1, 2, 3, 4, 6]);
  });

  it('gives resume points: reading again from any record end yields the same rest', async () => {
    const text = '\ufeffuser_id,email\r\n"q,1",a@x.com\r\n\r\n"multi\r\nline",b@x.com\r\nü-ser,c@x.com\r\n';
    const all = await readAll(text);
    const recs = all.filter((i) => i.kind === 'record') as Array<Extract<CsvItem, { kind: 'record' }>>;
    for (let k = 0; k < recs.length; k++) {
      const rest = await readAll(text, { offset: recs[k]!.endOffset, line: recs[k]!.nextLine }, 3);
      expect(records(rest)).toEqual(recs.slice(k + 1).map((r) => r.fields));
      expect(rest.filter((i) => i.kind === 'record').map((i) => (i as any).line)).toEqual(recs.slice(k + 1).map((r) => r.line));
    }
  });

  it('reports an unterminated quote and keeps the rows before it', async () => {
    const items = await readAll('email\na@x.com\n"b@x.com\nc@x.com\n');
    expect(records(items)).toEqual([['email'], ['a@x.com']]);
    expect(items.find((i) => i.kind === 'malformed')).toMatchObject({ line: 3, reason: 'a quoted field is never closed' });
  });

  it('keeps the parse of a row bounded (a huge row is reported, not buffered)', async () => {
    const items = await readAll(`email\n${'x'.repeat(70_000)}\nok@x.com\n`, { offset: 0, line: 1 }, 4096);
    expect(items.some((i) => i.kind === 'malformed' && /longer than/.test(i.reason))).toBe(true);
  });
});

describe('header and rows', () => {
  it('finds user_id and/or email in any order, any case', () => {
    expect(readHeader(['Email', ' user_id '])).toEqual({ kind: 'ok', columns: { userId: 1, email: 0, columnCount: 2 } });
    expect(readHeader(['email'])).toEqual({ kind: 'ok', columns: { userId: null, email: 0, columnCount: 1 } });
    expect(readHeader(['name', 'user_id', 'x'])).toMatchObject({ kind: 'ok', columns: { userId: 1, email: null } });
    expect(readHeader(['name'])).toMatchObject({ kind: 'rejected' });
    expect(readHeader(['email', 'EMAIL'])).toMatchObject({ kind: 'rejected' });
    expect(readHeader(['email'], { requireUserId: true })).toMatchObject({ kind: 'rejected' });
  });

  it('rejects empty rows, wrong column counts and invalid emails; lower-cases emails', () => {
    const cols = { userId: 1, email: 0, columnCount: 2 };
    expect(readUserRow(['A@X.COM', 'u1'], cols)).toEqual({ kind: 'user', userId: 'u1', email: 'a@x.com' });
    expect(readUserRow(['', 'u1'], cols)).toEqual({ kind: 'user', userId: 'u1', email: null });
    expect(readUserRow([''], cols)).toEqual({ kind: 'rejected', reason: 'empty row' });
    expect(readUserRow([' ', ''], cols)).toEqual({ kind: 'rejected', reason: 'empty row' });
    expect(readUserRow(['a@x.com', 'u1', 'extra'], cols)).toMatchObject({ kind: 'rejected', reason: expect.stringMatching(/column count/) });
    expect(readUserRow(['not-an-email', 'u1'], cols)).toEqual({ kind: 'rejected', reason: 'invalid email' });
    expect(readUserRow(['a@x.com', ''], cols, { requireUserId: true })).toMatchObject({ kind: 'rejected' });
  });

  it('validates emails pragmatically', () => {
    for (const ok of ['a@x.com', 'first.last+tag@sub.example.co.in']) expect(isValidEmail(ok)).toBe(true);
    for (const bad of ['', 'a', 'a@', '@x.com', 'a@x', 'a b@x.com', 'a@x..com', 'a@@x.com', 'a@x.c']) expect(isValidEmail(bad)).toBe(false);
  });
});

describe('writing CSV cells', () => {
  it('neutralises cells a spreadsheet would run as formulas', () => {
    for (const v of ['=1+1', '+1', '-1', '@SUM(A1)', '\t=1', '\r=1', ' =1', '＝1']) expect(neutraliseCell(v).startsWith("'")).toBe(true);
    for (const v of ['abc', 'a=1', '1-2', 'user@x.com', '']) expect(neutraliseCell(v)).toBe(v);
    expect(csvLine(['=HYPERLINK("http://evil")', 'a,b', 3, null])).toBe(`"'=HYPERLINK(""http://evil"")","a,b",3,\r\n`);
  });

  it('property: every cell reads back as text that no spreadsheet runs, and only the marker was added', () => {
    const risky = fc.constantFrom('=', '+', '-', '@', '\t', '\r', ' ', '"', ',', '\n', '＝', 'a', '1');
    const cell = fc.oneof(fc.string(), fc.array(risky).map((a) => a.join('')), fc.tuple(fc.array(risky), fc.string()).map(([a, s]) => a.join('') + s));
    fc.assert(
      fc.property(fc.array(cell, { minLength: 1, maxLength: 5 }), (cells) => {
        const [parsed] = parse(csvLine(cells), { relax_column_count: true }) as string[][];
        expect(parsed).toHaveLength(cells.length);
        parsed!.forEach((value, i) => {
          expect(/^\s*[=+\-@\t\r＝＋－＠]/.test(value)).toBe(false);
          const original = cells[i]!;
          expect(value === original || value === `'${original}`).toBe(true);
        });
      }),
      { numRuns: 500 },
    );
  });

  it('writes numbers, booleans and nulls plainly', () => {
    expect(csvCell(0)).toBe('0');
    expect(csvCell(true)).toBe('true');
    expect(csvCell(null)).toBe('');
  });
});

describe('upload byte counting', async () => {
  const { countingStream, UploadTooLarge } = await import('../../worker/jobs/upload');
  const source = (chunks: string[]) =>
    new ReadableStream<Uint8Array>({
      start(c) {
        for (const chunk of chunks) c.enqueue(encoder.encode(chunk));
        c.close();
      },
    });

  it('counts bytes and line ends as the body streams by', async () => {
    const { stats, stream } = countingStream(100);
    await source(['a,b\nc', ',d\n', 'e']).pipeThrough(stream).pipeTo(new WritableStream());
    expect(stats).toEqual({ bytes: 9, newlines: 2, lastByte: 'e'.charCodeAt(0) });
  });

  it('fails the stream as soon as the body is over the limit (a body without Content-Length)', async () => {
    const { stats, stream } = countingStream(8);
    const done = source(['12345', '67890', 'never read']).pipeThrough(stream).pipeTo(new WritableStream());
    await expect(done).rejects.toBeInstanceOf(UploadTooLarge);
    expect(stats.bytes).toBe(10);
  });
});
