import type { IncomingMessage } from 'node:http';
import { gunzip } from 'node:zlib';
import { HttpError } from './HttpError.js';

export interface ReadBodyOptions {
  /** Limit on the bytes on the wire (compressed). */
  maxBytes: number;
  /** Limit on the bytes after gunzip: the decompression-bomb guard. */
  maxDecompressedBytes: number;
  /** Shared in-flight budget; `reserve` returns false when the process holds too much already. */
  budget: { reserve(bytes: number): boolean; release(bytes: number): void };
}

/**
 * Reads a request body within byte limits and gunzips it with a capped output
 * (zlib stops inflating at the cap, so a bomb costs at most `maxDecompressedBytes`).
 * Returns the body and how many budget bytes the caller must release when done.
 */
export async function readBody(req: IncomingMessage, encoding: 'gzip' | 'identity', opts: ReadBodyOptions): Promise<{ body: Buffer; held: number }> {
  const declared = req.headers['content-length'] === undefined ? -1 : Number(req.headers['content-length']);
  if (declared > opts.maxBytes) throw new HttpError(413, `request body of ${declared} bytes exceeds the ${opts.maxBytes}-byte limit`);
  let held = 0;
  const hold = (n: number): void => {
    if (!opts.budget.reserve(n)) {
      throw new HttpError(429, 'collector is holding too many request bodies; retry later', { headers: { 'retry-after': '1' }, code: 'INFLIGHT_FULL' });
    }
    held += n;
  };
  try {
    if (declared > 0) hold(declared);
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > opts.maxBytes) throw new HttpError(413, `request body exceeds the ${opts.maxBytes}-byte limit`);
      if (total > held) hold(total - held);
      chunks.push(chunk);
    }
    if (declared >= 0 && total !== declared) throw new HttpError(400, 'request body is shorter than Content-Length');
    const raw = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
    if (encoding === 'identity') return { body: raw, held };
    const body = await gunzipCapped(raw, opts.maxDecompressedBytes);
    hold(body.length);
    return { body, held };
  } catch (err) {
    opts.budget.release(held);
    throw err;
  }
}

function gunzipCapped(raw: Buffer, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    gunzip(raw, { maxOutputLength: max }, (err, out) => {
      if (!err) return resolve(out);
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
        reject(new HttpError(413, `decompressed body exceeds the ${max}-byte limit`, { cause: err }));
      } else {
        reject(new HttpError(400, 'body is not valid gzip', { cause: err }));
      }
    });
  });
}
