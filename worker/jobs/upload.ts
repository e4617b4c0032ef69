/**
 * Uploaded CSV files: streamed from the request body to R2 without ever holding the whole file
 * (a known Content-Length goes through a FixedLengthStream; an unknown one as an R2 multipart
 * upload of 10 MiB parts), refused with 413 beyond MAX_UPLOAD_BYTES, and their header read back.
 */
import { AppError } from '../errors';
import { readHeader, type CsvColumns } from '../domain/csv';
import { readCsvRecords } from './csv-reader';

/** Cloudflare's request-body limit on the Free and Pro plans. Bigger lists go in several uploads. */
export const MAX_UPLOAD_BYTES = 100 * 1024 * 1024;
const PART_BYTES = 10 * 1024 * 1024;
const ACCEPTED_TYPES = ['text/csv', 'application/csv', 'text/plain', 'application/octet-stream', 'application/vnd.ms-excel'];

export interface StoredUpload {
  key: string;
  bytes: number;
  columns: CsvColumns;
  /** Where the first data row starts (after the header). */
  dataOffset: number;
  dataLine: number;
  /** Data rows, counted by line ends (exact unless quoted fields hold newlines; fixed when the job ends). */
  estimatedRows: number;
}

const tooLarge = () =>
  new AppError('payload_too_large', {
    code: 'payload_too_large',
    detail: `The upload is over the ${MAX_UPLOAD_BYTES / 1024 / 1024} MB limit; split the list into several uploads (each adds to the list).`,
    errors: [{ path: 'body', message: `must be at most ${MAX_UPLOAD_BYTES} bytes` }],
  });

export class UploadTooLarge extends Error {}

/** Counts bytes and line ends as the body streams by; fails the stream beyond `maxBytes`. */
export function countingStream(maxBytes = MAX_UPLOAD_BYTES) {
  const stats = { bytes: 0, newlines: 0, lastByte: -1 };
  const stream = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      stats.bytes += chunk.byteLength;
      if (stats.bytes > maxBytes) {
        controller.error(new UploadTooLarge());
        return;
      }
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) stats.newlines++;
      if (chunk.byteLength > 0) stats.lastByte = chunk[chunk.byteLength - 1]!;
      controller.enqueue(chunk);
    },
  });
  return { stats, stream };
}

async function putKnownLength(bucket: R2Bucket, key: string, body: ReadableStream<Uint8Array>, length: number) {
  const fixed = new FixedLengthStream(length);
  const piping = body.pipeTo(fixed.writable);
  const [put] = await Promise.allSettled([bucket.put(key, fixed.readable, { httpMetadata: { contentType: 'text/csv' } }), piping]);
  const pipeError = await piping.then(() => null, (e: unknown) => e);
  if (pipeError) throw pipeError;
  if (put.status === 'rejected') throw put.reason;
}

async function putMultipart(bucket: R2Bucket, key: string, body: ReadableStream<Uint8Array>) {
  const upload = await bucket.createMultipartUpload(key, { httpMetadata: { contentType: 'text/csv' } });
  try {
    const parts: R2UploadedPart[] = [];
    let buffer = new Uint8Array(PART_BYTES);
    let filled = 0;
    const flush = async () => {
      parts.push(await upload.uploadPart(parts.length + 1, buffer.subarray(0, filled)));
      buffer = new Uint8Array(PART_BYTES);
      filled = 0;
    };
    const reader = body.getReader();
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      let at = 0;
      while (at < value.byteLength) {
        const n = Math.min(value.byteLength - at, PART_BYTES - filled);
        buffer.set(value.subarray(at, at + n), filled);
        filled += n;
        at += n;
        if (filled === PART_BYTES) await flush();
      }
    }
    if (filled > 0 || parts.length === 0) await flush();
    await upload.complete(parts);
  } catch (err) {
    await upload.abort().catch(() => {});
    throw err;
  }
}

/**
 * Streams the request body to R2 under `key`, then reads its header. Throws 413 beyond the
 * limit, 415 for a non-CSV body, 400 for an empty file or a header without `user_id`/`email`.
 */
/** Streams the request's CSV body to `bucket` under `key` (takes the request itself, not a Hono context). */
export async function storeUpload(request: Request, bucket: R2Bucket, key: string, opts: { requireUserId?: boolean } = {}): Promise<StoredUpload> {
  const type = (request.headers.get('Content-Type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== '' && !ACCEPTED_TYPES.includes(type)) {
    throw new AppError('unsupported_media_type', {
      code: 'unsupported_media_type',
      detail: 'Send the list as `Content-Type: text/csv`.',
      errors: [{ path: 'body', message: 'must be text/csv' }],
    });
  }
  const lengthHeader = request.headers.get('Content-Length');
  const length = lengthHeader !== null && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : null;
  if (length !== null && length > MAX_UPLOAD_BYTES) throw tooLarge();
  const body = request.body;
  if (!body || length === 0) throw emptyUpload();

  const { stats, stream } = countingStream();
  const counted = body.pipeThrough(stream);
  try {
    if (length !== null) await putKnownLength(bucket, key, counted, length);
    else await putMultipart(bucket, key, counted);
  } catch (err) {
    await bucket.delete(key).catch(() => {});
    if (err instanceof UploadTooLarge || stats.bytes > MAX_UPLOAD_BYTES) throw tooLarge();
    if (length !== null && stats.bytes !== length) {
      throw new AppError('invalid_input', { code: 'invalid_input', detail: 'The body is shorter or longer than its Content-Length.', errors: [{ path: 'body', message: 'length mismatch' }] });
    }
    throw err;
  }
  if (stats.bytes === 0) {
    await bucket.delete(key).catch(() => {});
    throw emptyUpload();
  }

  // The header: the first record of the file.
  const object = await bucket.get(key);
  let header: { fields: string[]; endOffset: number; nextLine: number } | null = null;
  let problem = 'the file has no header line';
  if (object) {
    for await (const item of readCsvRecords(object.body, { offset: 0, line: 1 })) {
      if (item.kind === 'record') header = item;
      else if (item.kind === 'malformed') problem = `the header line is malformed: ${item.reason}`;
      break;
    }
  }
  const decision = header ? readHeader(header.fields, opts) : ({ kind: 'rejected', reason: problem } as const);
  if (decision.kind === 'rejected' || !header) {
    await bucket.delete(key).catch(() => {});
    throw new AppError('invalid_input', {
      code: 'invalid_csv_header',
      detail: `The CSV header is invalid: ${decision.kind === 'rejected' ? decision.reason : problem}.`,
      errors: [{ path: 'body.header', message: decision.kind === 'rejected' ? decision.reason : problem }],
    });
  }
  const lineEnds = stats.newlines + (stats.lastByte === 10 ? 0 : 1);
  return {
    key,
    bytes: stats.bytes,
    columns: decision.columns,
    dataOffset: header.endOffset,
    dataLine: header.nextLine,
    estimatedRows: Math.max(0, lineEnds - (header.nextLine - 1)),
  };
}

const emptyUpload = () =>
  new AppError('invalid_input', {
    code: 'empty_upload',
    detail: 'The body is empty: send a CSV with a header line (`user_id` and/or `email`).',
    errors: [{ path: 'body', message: 'must not be empty' }],
  });
