/**
 * Streams the records of an uploaded CSV out of R2, from a byte offset, with csv-parse (a
 * maintained parser: RFC 4180 quoting, CRLF or LF, UTF-8 BOM). Memory stays bounded: the body
 * is read as a stream and a record is at most MAX_RECORD_BYTES.
 *
 * Every record carries the byte offset and line number just past it, so a job can stop after
 * any record and later resume exactly there (docs/jobs.md).
 */
import { parse } from 'csv-parse/stream';
import { Buffer } from 'node:buffer';

export const MAX_RECORD_BYTES = 64 * 1024;

export type CsvItem =
  /** A parsed record: `line` is where it starts; `endOffset`/`nextLine` where the next one starts. */
  | { kind: 'record'; fields: string[]; line: number; endOffset: number; nextLine: number }
  /** A stretch the parser could not read (it resumes after it). Not a resume point. */
  | { kind: 'malformed'; line: number; reason: string }
  /** End of the file. */
  | { kind: 'eof'; endOffset: number; nextLine: number };

const REASONS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is never closed',
  CSV_INVALID_CLOSING_QUOTE: 'invalid closing quote',
  CSV_MAX_RECORD_SIZE: `row is longer than ${MAX_RECORD_BYTES} bytes`,
  CSV_RECORD_INCONSISTENT_FIELDS_LENGTH: 'wrong column count',
  INVALID_OPENING_QUOTE: 'invalid opening quote',
};

export interface ReadFrom {
  /** Byte offset of a record start (0 for the start of the file, BOM included). */
  offset: number;
  /** Line number (1-based) at that offset. */
  line: number;
}

/**
 * Yields the records from `from` to the end of the object. Breaking out of the loop cancels
 * the read. `source` is the object's body from `from.offset`.
 */
export async function* readCsvRecords(source: ReadableStream<Uint8Array>, from: ReadFrom): AsyncGenerator<CsvItem> {
  const pending: CsvItem[] = [];
  // Line of the end of the last record (absolute).
  let lastEndLine = from.line - 1;
  let lastEndOffset = from.offset;
  const parser = parse({
    bom: from.offset === 0,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: false,
    skip_records_with_error: true,
    max_record_size: MAX_RECORD_BYTES,
    on_record: (fields: string[], context: { bytes: number; lines: number }) => {
      const endLine = from.line - 1 + context.lines;
      const endOffset = from.offset + context.bytes;
      pending.push({ kind: 'record', fields, line: lastEndLine + 1, endOffset, nextLine: endLine + 1 });
      lastEndLine = endLine;
      lastEndOffset = endOffset;
      return null; // collected here, in order with the skipped stretches; nothing goes downstream
    },
    on_skip: (err: Error & { code?: string; lines?: number }) => {
      pending.push({ kind: 'malformed', line: lastEndLine + 1, reason: REASONS[err.code ?? ''] ?? 'malformed row' });
      if (typeof err.lines === 'number') lastEndLine = Math.max(lastEndLine + 1, from.line - 1 + err.lines);
    },
  } as Parameters<typeof parse>[0]);
  // Nothing is enqueued downstream; reading keeps the transform stream free of backpressure.
  const drain = parser.readable.pipeTo(new WritableStream());
  drain.catch(() => {}); // awaited on the normal path; rejects by design when the read is cut short
  const writer = parser.writable.getWriter();
  const reader = source.getReader();
  let done = false;
  try {
    while (true) {
      const { value, done: end } = await reader.read();
      if (end) break;
      await writer.write(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
      while (pending.length > 0) yield pending.shift()!;
    }
    await writer.close();
    await drain;
    while (pending.length > 0) yield pending.shift()!;
    done = true;
    // Bytes after the last record (a final blank line) belong to no record.
    yield { kind: 'eof', endOffset: Math.max(lastEndOffset, from.offset), nextLine: lastEndLine + 1 };
  } finally {
    if (!done) {
      await reader.cancel().catch(() => {});
      await writer.abort().catch(() => {});
    }
  }
}
