/**
 * Streams the records of an uploaded CSV out of R2, from a byte offset. Memory stays bounded:
 * the body is read as a stream and at most MAX_RECORD_BYTES of one record are ever held.
 *
 * The reader works on bytes, in two steps:
 * 1. Framing: a small state machine finds where each record ends (LF or CRLF outside quotes;
 *    a quote opens a quoted field only at the start of a field, `""` inside one is a quote)
 *    and counts lines. A record longer than MAX_RECORD_BYTES is not buffered: the reader skips
 *    to its end and reports it once, at the line where it starts, then goes on with the next
 *    record (issue 13: a 2 MB or 10 MB row is one error, the rows after it are read).
 * 2. Fields: a record's bytes are decoded as UTF-8 with a fatal decoder (a record that is not
 *    valid UTF-8 is reported, never read with replacement characters), then split into fields
 *    (RFC 4180 quoting; a quote inside an unquoted field is kept as text).
 *
 * Every record carries the byte offset and line number just past it, so a job can stop after
 * any record and later resume exactly there (docs/jobs.md). A UTF-8 BOM at the start of the
 * file is skipped. Blank lines are records with one empty field (the caller reports them).
 */

export const MAX_RECORD_BYTES = 64 * 1024;

export type CsvItem =
  /** A parsed record: `line` is where it starts; `endOffset`/`nextLine` where the next one starts. */
  | { kind: 'record'; fields: string[]; line: number; endOffset: number; nextLine: number }
  /** A record that could not be read (the reader goes on after it). Not a resume point. */
  | { kind: 'malformed'; line: number; reason: string }
  /** End of the file. */
  | { kind: 'eof'; endOffset: number; nextLine: number };

export const CSV_REASONS = {
  unclosedQuote: 'a quoted field is never closed',
  invalidClosingQuote: 'invalid closing quote',
  tooLong: `row is longer than ${MAX_RECORD_BYTES} bytes`,
  notUtf8: 'the row is not valid UTF-8',
} as const;

export interface ReadFrom {
  /** Byte offset of a record start (0 for the start of the file, BOM included). */
  offset: number;
  /** Line number (1-based) at that offset. */
  line: number;
}

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const COMMA = 0x2c;
const BOM = new Uint8Array([0xef, 0xbb, 0xbf]);

// Framing states.
const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
const QUOTE_IN_QUOTED = 3; // a quote inside a quoted field: closing, or the first of `""`

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

type FieldsResult = { kind: 'ok'; fields: string[] } | { kind: 'bad'; reason: string };

/** Splits one decoded record (no line end) into fields. */
export function splitRecord(text: string): FieldsResult {
  const fields: string[] = [];
  let i = 0;
  const n = text.length;
  while (true) {
    if (i < n && text.charCodeAt(i) === QUOTE) {
      let value = '';
      let j = i + 1;
      while (true) {
        const q = text.indexOf('"', j);
        if (q < 0) return { kind: 'bad', reason: CSV_REASONS.unclosedQuote };
        value += text.slice(j, q);
        if (text.charCodeAt(q + 1) === QUOTE) {
          value += '"';
          j = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      fields.push(value);
      if (i === n) return { kind: 'ok', fields };
      if (text.charCodeAt(i) !== COMMA) return { kind: 'bad', reason: CSV_REASONS.invalidClosingQuote };
      i++;
      continue;
    }
    const comma = text.indexOf(',', i);
    if (comma < 0) {
      fields.push(text.slice(i));
      return { kind: 'ok', fields };
    }
    fields.push(text.slice(i, comma));
    i = comma + 1;
  }
}

/** Judges one framed record's bytes (without its line end). */
function readRecord(bytes: Uint8Array): FieldsResult {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    return { kind: 'bad', reason: CSV_REASONS.notUtf8 };
  }
  return splitRecord(text);
}

/**
 * Yields the records from `from` to the end of the object. Breaking out of the loop cancels
 * the read. `source` is the object's body from `from.offset`.
 */
export async function* readCsvRecords(source: ReadableStream<Uint8Array>, from: ReadFrom): AsyncGenerator<CsvItem> {
  const reader = source.getReader();
  let done = false;
  // The record being framed.
  let buf = new Uint8Array(4096);
  let len = 0; // bytes of the record held in buf
  let size = 0; // bytes of the record so far (held or skipped)
  let tooLong = false;
  let state = FIELD_START;
  let recordLine = from.line;
  let line = from.line; // line of the byte being read
  let offset = from.offset; // absolute offset of the next chunk
  let lastEndOffset = from.offset;
  let lastNextLine = from.line;
  // A BOM is only looked for at the very start of the file.
  let bomCheck = from.offset === 0 ? 0 : -1;

  /** Appends `bytes[from, to)` to the record (or only counts them, past the limit). */
  const append = (bytes: Uint8Array, from: number, to: number) => {
    const n = to - from;
    if (n <= 0) return;
    size += n;
    if (tooLong) return;
    // One byte of slack: the CR of a CRLF line end is held with the record, not counted.
    if (size > MAX_RECORD_BYTES + 1) {
      tooLong = true;
      len = 0;
      return;
    }
    if (len + n > buf.length) {
      let capacity = buf.length;
      while (capacity < len + n) capacity *= 2;
      const bigger = new Uint8Array(Math.min(capacity, MAX_RECORD_BYTES + 2));
      bigger.set(buf.subarray(0, len));
      buf = bigger;
    }
    buf.set(bytes.subarray(from, to), len);
    len += n;
  };

  /** Ends the record whose last byte (its line end included) is at `offset - 1`. */
  const finish = (endOffset: number, nextLine: number, crlf: boolean): CsvItem => {
    let item: CsvItem;
    if (tooLong || (crlf ? size - 1 : size) > MAX_RECORD_BYTES) item = { kind: 'malformed', line: recordLine, reason: CSV_REASONS.tooLong };
    else {
      const end = crlf ? len - 1 : len; // the CR of a CRLF was held
      const result = readRecord(buf.subarray(0, end));
      item = result.kind === 'ok'
        ? { kind: 'record', fields: result.fields, line: recordLine, endOffset, nextLine }
        : { kind: 'malformed', line: recordLine, reason: result.reason };
    }
    lastEndOffset = endOffset;
    lastNextLine = nextLine;
    recordLine = nextLine;
    len = 0;
    size = 0;
    tooLong = false;
    state = FIELD_START;
    return item;
  };

  try {
    let prevCr = false; // the byte before this one was a CR outside quotes
    while (true) {
      const { value, done: end } = await reader.read();
      if (end) break;
      const out: CsvItem[] = [];
      const base = offset; // absolute offset of value[0]
      let span = 0; // start of the bytes of `value` not yet appended to the record
      for (let k = 0; k < value.length; k++) {
        const b = value[k]!;
        if (bomCheck >= 0) {
          // EF BB BF at offsets 0..2: skipped (the header record's bytes still count it).
          if (b === BOM[bomCheck]) {
            bomCheck = bomCheck === 2 ? -1 : bomCheck + 1;
            span = k + 1;
            continue;
          }
          // Not a BOM after all: what was taken for one is data.
          if (bomCheck > 0) {
            append(BOM, 0, bomCheck);
            state = UNQUOTED;
          }
          bomCheck = -1;
        }
        if (b === LF) {
          line++;
          if (state === QUOTED) {
            prevCr = false;
            continue;
          }
          append(value, span, k);
          span = k + 1;
          out.push(finish(base + k + 1, line, prevCr));
          prevCr = false;
          continue;
        }
        switch (state) {
          case FIELD_START:
            state = b === QUOTE ? QUOTED : b === COMMA ? FIELD_START : UNQUOTED;
            break;
          case UNQUOTED:
            if (b === COMMA) state = FIELD_START;
            break;
          case QUOTED:
            if (b === QUOTE) state = QUOTE_IN_QUOTED;
            break;
          case QUOTE_IN_QUOTED:
            // `""` goes on quoted; anything else closes the field (the split judges what follows).
            state = b === QUOTE ? QUOTED : b === COMMA ? FIELD_START : UNQUOTED;
            break;
        }
        prevCr = b === CR && state !== QUOTED;
      }
      append(value, span, value.length);
      offset = base + value.length;
      for (const item of out) yield item;
    }
    // A partial BOM that ends the file is data.
    if (bomCheck > 0) append(BOM, 0, bomCheck);
    if (size > 0) {
      if (state === QUOTED) {
        yield { kind: 'malformed', line: recordLine, reason: CSV_REASONS.unclosedQuote };
        lastEndOffset = offset;
        lastNextLine = line + 1;
      } else {
        yield finish(offset, line + 1, false);
      }
    }
    done = true;
    // Bytes after the last record (none, or a BOM alone) belong to no record.
    yield { kind: 'eof', endOffset: Math.max(lastEndOffset, from.offset), nextLine: lastNextLine };
  } finally {
    if (!done) await reader.cancel().catch(() => {});
  }
}
