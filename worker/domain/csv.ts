/**
 * CSV decisions (pure): reading the header and rows of an uploaded user list, and writing
 * cells that a spreadsheet never runs as formulas. Reading the bytes into records (framing,
 * quoting, UTF-8, the row-size bound) is worker/jobs/csv-reader.ts; this module only judges the
 * parsed fields.
 */

export interface CsvColumns {
  /** 0-based position of `user_id`, or null when the file has no such column. */
  userId: number | null;
  /** 0-based position of `email`, or null. */
  email: number | null;
  /** Fields every row must have (the header's). */
  columnCount: number;
}

export type HeaderDecision = { kind: 'ok'; columns: CsvColumns } | { kind: 'rejected'; reason: string };

const normaliseName = (name: string) => name.replace(/^\ufeff/, '').trim().toLowerCase();

/**
 * The header names a `user_id` and/or an `email` column, in any order, each at most once
 * (case and surrounding spaces do not matter). Other columns are allowed and ignored.
 */
export function readHeader(fields: readonly string[], opts: { requireUserId?: boolean } = {}): HeaderDecision {
  const names = fields.map(normaliseName);
  const userIdAt = names.indexOf('user_id');
  const emailAt = names.indexOf('email');
  for (const name of ['user_id', 'email']) {
    if (names.indexOf(name) !== names.lastIndexOf(name)) return { kind: 'rejected', reason: `the header names the column "${name}" twice` };
  }
  if (opts.requireUserId && userIdAt < 0) {
    return { kind: 'rejected', reason: 'the header must name a "user_id" column (and optionally "email")' };
  }
  if (userIdAt < 0 && emailAt < 0) {
    return { kind: 'rejected', reason: 'the header must name a "user_id" and/or an "email" column' };
  }
  return {
    kind: 'ok',
    columns: { userId: userIdAt < 0 ? null : userIdAt, email: emailAt < 0 ? null : emailAt, columnCount: fields.length },
  };
}

export const MAX_USER_ID_LENGTH = 200;
export const MAX_EMAIL_LENGTH = 254;

// Pragmatic address check: local@domain.tld, no spaces or characters that never appear unquoted.
const EMAIL = /^[^\s@"(),:;<>[\\\]]+@[^\s@"(),:;<>[\\\]]+\.[^\s@"(),:;<>[\\\].]{2,}$/;

export function isValidEmail(email: string): boolean {
  return email.length <= MAX_EMAIL_LENGTH && EMAIL.test(email) && !email.includes('..');
}

export type RowDecision =
  | { kind: 'user'; userId: string | null; email: string | null }
  | { kind: 'rejected'; reason: string };

/** Judges one parsed data row against the header's columns. Emails come back lower-case. */
export function readUserRow(fields: readonly string[], columns: CsvColumns, opts: { requireUserId?: boolean } = {}): RowDecision {
  if (fields.every((f) => f.trim() === '')) return { kind: 'rejected', reason: 'empty row' };
  if (fields.length !== columns.columnCount) {
    return { kind: 'rejected', reason: `wrong column count: expected ${columns.columnCount}, found ${fields.length}` };
  }
  const userId = columns.userId === null ? '' : fields[columns.userId]!.trim();
  const email = columns.email === null ? '' : fields[columns.email]!.trim().toLowerCase();
  if (opts.requireUserId && userId === '') return { kind: 'rejected', reason: 'user_id is empty' };
  if (userId === '' && email === '') return { kind: 'rejected', reason: 'neither user_id nor email is given' };
  if (userId.length > MAX_USER_ID_LENGTH) return { kind: 'rejected', reason: `user_id is longer than ${MAX_USER_ID_LENGTH} characters` };
  if (email !== '' && !isValidEmail(email)) return { kind: 'rejected', reason: 'invalid email' };
  return { kind: 'user', userId: userId === '' ? null : userId, email: email === '' ? null : email };
}

/** The key under which two rows of one list are the same user: the user id when given, else the email. */
export const userKey = (row: { userId: string | null; email: string | null }): string =>
  row.userId !== null ? `u:${row.userId}` : `e:${row.email}`;

// ---------------------------------------------------------------------------------------------
// Writing CSV
// ---------------------------------------------------------------------------------------------

/**
 * Characters that make a spreadsheet (Excel, LibreOffice, Google Sheets) read a cell as a
 * formula or DDE command when they come first: = + - @, tab and carriage return, and their
 * full-width forms. Leading spaces are skipped by some spreadsheets, so they are looked past.
 */
const FORMULA_START = /^[\s]*[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;

/** Prefixes a cell that a spreadsheet would run as a formula with `'`, which makes it text. */
export function neutraliseCell(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** One CSV cell: neutralised, then quoted when it holds a comma, quote, newline or edge space. */
export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const safe = neutraliseCell(value);
  return /[",\r\n]|^\s|\s$/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** One CSV line (CRLF-terminated, as RFC 4180 has it). */
export function csvLine(cells: ReadonlyArray<string | number | boolean | null | undefined>): string {
  return cells.map(csvCell).join(',') + '\r\n';
}
