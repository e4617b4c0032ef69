/** A small RFC 4180 CSV reader (for showing a job's failed rows) and the sample upload file. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const s = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (quoted) {
      if (ch === '"') {
        if (s[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && s[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/** The sample file offered next to the eligible-users upload. */
export const SAMPLE_ELIGIBLE_USERS = 'user_id,email\nuser_1001,asha@example.com\nuser_1002,\n,ravi@example.com\n';
/** The sample file offered next to a group's member import. */
export const SAMPLE_MEMBERS = 'user_id,email\nemp_001,asha@xyz.example\nemp_002,ravi@xyz.example\n';

export const csvDataUrl = (text: string) => `data:text/csv;charset=utf-8,${encodeURIComponent(text)}`;
