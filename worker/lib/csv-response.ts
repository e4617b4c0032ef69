import { csvLine } from '../domain/csv';

type Cell = string | number | boolean | null | undefined;

/**
 * A streamed CSV response: the header, then page after page from `nextPage` (each page one
 * bounded query), pulled only as fast as the client reads. `nextPage` returns null when done.
 */
export function csvResponse(filename: string, header: readonly string[], nextPage: () => Promise<Cell[][] | null>): Response {
  const encoder = new TextEncoder();
  let headerSent = false;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true;
        controller.enqueue(encoder.encode(csvLine(header)));
        return;
      }
      const rows = await nextPage();
      if (rows === null) {
        controller.close();
        return;
      }
      if (rows.length > 0) controller.enqueue(encoder.encode(rows.map(csvLine).join('')));
    },
  });
  return new Response(body, {
    status: 200,
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${filename}"`,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    },
  });
}

export const isoOrEmpty = (ms: number | null | undefined): string | null => (ms == null ? null : new Date(ms).toISOString());
