import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { csvCell, csvLine, isValidEmail, neutraliseCell, readHeader, readUserRow } from '../../worker/domain/csv';
import { MAX_RECORD_BYTES, readCsvRecords, type CsvItem } from '../../worker/jobs/csv-reader';

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

describe('reading CSV uploads (streamed, bounded)', () => {
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

  // Issue 13: a row over the limit used to give one error per 64 KB of it and swallow the rows after.
  it.each([
    ['2 MB', 2 * 1024 * 1024, 65_536],
    ['10 MB', 10 * 1024 * 1024, 1 << 20],
  ])('a %s row is one error at its own line, and the rows after it are read', async (_name, bytes, chunk) => {
    const text = `user_id\nbefore\n${'w'.repeat(bytes)}\nafter-wide\n"quoted,\nafter",x\nlast\n`;
    const items = await readAll(text, { offset: 0, line: 1 }, chunk);
    expect(items.filter((i) => i.kind === 'malformed')).toEqual([{ kind: 'malformed', line: 3, reason: `row is longer than ${MAX_RECORD_BYTES} bytes` }]);
    const recs = items.filter((i) => i.kind === 'record') as Array<Extract<CsvItem, { kind: 'record' }>>;
    expect(recs.map((r) => [r.line, r.fields])).toEqual([
      [1, ['user_id']],
      [2, ['before']],
      [4, ['after-wide']],
      [5, ['quoted,\nafter', 'x']],
      [7, ['last']],
    ]);
    // Resuming right after the long row's neighbour reads the same rest.
    const rest = await readAll(text, { offset: recs[2]!.endOffset, line: recs[2]!.nextLine }, chunk);
    expect(records(rest)).toEqual([['quoted,\nafter', 'x'], ['last']]);
  });

  it('a long quoted row with line breaks inside is one error at its first line; line numbers after it stay right', async () => {
    const cell = `"${'q\n'.repeat(40_000)}"`;
    const items = await readAll(`email\n${cell}\nok@x.com\n`, { offset: 0, line: 1 }, 8192);
    expect(items.filter((i) => i.kind === 'malformed')).toEqual([{ kind: 'malformed', line: 2, reason: expect.stringMatching(/longer than/) }]);
    expect(items.find((i) => i.kind === 'record' && i.fields[0] === 'ok@x.com')).toMatchObject({ line: 40_003 });
  });

  it('a row of exactly the limit is read; one byte more is refused', async () => {
    const exact = 'x'.repeat(MAX_RECORD_BYTES);
    expect(records(await readAll(`a\n${exact}\n`, { offset: 0, line: 1 }, 5000))).toEqual([['a'], [exact]]);
    expect(records(await readAll(`a\r\n${exact}\r\n`, { offset: 0, line: 1 }, 5000))).toEqual([['a'], [exact]]);
    expect(records(await readAll(`a\n${exact}`, { offset: 0, line: 1 }, 5000))).toEqual([['a'], [exact]]);
    expect(records(await readAll(`a\n${exact}\r`, { offset: 0, line: 1 }, 5000))).toEqual([['a']]);
    const items = await readAll(`a\n${exact}y\r\nb`, { offset: 0, line: 1 }, 5000);
    expect(records(items)).toEqual([['a'], ['b']]);
    expect(items.filter((i) => i.kind === 'malformed')).toHaveLength(1);
  });

  it('reports rows that are not valid UTF-8 by line, and reads the valid ones (UTF-8 across chunk boundaries included)', async () => {
    const bytes = new Uint8Array([
      ...encoder.encode('user_id,email\n'),
      ...encoder.encode('ü-ser,a@x.com\n'), // line 2: valid
      0x75, 0xff, 0x31, ...encoder.encode(',b@x.com\n'), // line 3: 0xff never appears in UTF-8
      0x75, 0xc3, ...encoder.encode(',c@x.com\n'), // line 4: a truncated sequence
      0xed, 0xa0, 0x80, ...encoder.encode(',d@x.com\n'), // line 5: an encoded surrogate
      0xc0, 0xaf, ...encoder.encode(',e@x.com\n'), // line 6: an overlong form
      ...encoder.encode('日本,f@x.com\n'), // line 7: valid
    ]);
    for (const size of [1, 2, 7, 4096]) {
      const items = await readAll(bytes, { offset: 0, line: 1 }, size);
      expect(items.filter((i) => i.kind === 'malformed').map((i) => (i as { line: number }).line), `chunk ${size}`).toEqual([3, 4, 5, 6]);
      expect(items.filter((i) => i.kind === 'malformed').every((i) => (i as { reason: string }).reason === 'the row is not valid UTF-8')).toBe(true);
      expect(records(items)).toEqual([['user_id', 'email'], ['ü-ser', 'a@x.com'], ['日本', 'f@x.com']]);
    }
  });

  it('reports an invalid closing quote and keeps quotes inside unquoted fields as text', async () => {
    const items = await readAll('email,n\n"a@x.com"x,1\nb"c@x.com,2\n"",3\n');
    expect(items.filter((i) => i.kind === 'malformed')).toEqual([{ kind: 'malformed', line: 2, reason: 'invalid closing quote' }]);
    expect(records(items)).toEqual([['email', 'n'], ['b"c@x.com', '2'], ['', '3']]);
  });

  it('property: reads back any table written with csvLine, at any chunk size, with its lines and resume points', async () => {
    const cellText = fc.string({ unit: fc.oneof(fc.constantFrom('"', ',', '\n', '\r', ' ', 'a', 'é', '日', '😀'), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 })), maxLength: 12 });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(cellText, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 64 }), async (rows, size) => {
        // Cells that csvLine neutralises read back with the marker; compare with what was written.
        const text = rows.map((r) => r.map((c) => csvCell(c)).join(',')).join('\n') + '\n';
        const items = await readAll(text, { offset: 0, line: 1 }, size);
        const expected = parse(text, { relax_column_count: true, skip_empty_lines: false, relax_quotes: true }) as string[][];
        expect(records(items)).toEqual(expected);
        const recs = items.filter((i) => i.kind === 'record') as Array<Extract<CsvItem, { kind: 'record' }>>;
        const k = Math.floor(recs.length / 2);
        const rest = await readAll(text, { offset: recs[k]!.endOffset, line: recs[k]!.nextLine }, size);
        expect(records(rest)).toEqual(expected.slice(k + 1));
      }),
      { numRuns: 200 },
    );
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
