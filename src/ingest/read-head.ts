/**
 * The head of a decompressed evidence stream, read once for sniffing and then replayed: ingest's
 * JS path, the DuckDB fast path, the hybrid read and `dwell sniff` all read it the same way.
 */
import type { EvidenceStream } from './evidence-reader.js';
import { SNIFF_BYTES } from './sniff.js';

export interface StreamHead {
  /** Whole chunks as delivered: at least SNIFF_BYTES unless the stream ended or failed first. */
  chunks: Buffer[];
  /** The same bytes joined. */
  head: Buffer;
  /** The stream ended within the head. */
  ended: boolean;
  /** Why the stream stopped within the head (a truncated or damaged file); the chunks before it are kept. */
  error: Error | null;
  /** Where reading goes on after the head. */
  rest: AsyncIterator<Buffer>;
}

/**
 * Reads `ev` up to SNIFF_BYTES. `beforeEach` runs before each chunk is asked for, outside the
 * error capture: what it throws (a cancelled parse) goes to the caller, never into `error`.
 */
export async function readHead(ev: EvidenceStream, beforeEach?: () => void): Promise<StreamHead> {
  const rest = ev.data[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const chunks: Buffer[] = [];
  let bytes = 0;
  let ended = false;
  let error: Error | null = null;
  while (bytes < SNIFF_BYTES) {
    beforeEach?.();
    let r: IteratorResult<Buffer>;
    try {
      r = await rest.next();
    } catch (err) {
      error = err as Error;
      break;
    }
    if (r.done) {
      ended = true;
      break;
    }
    chunks.push(r.value);
    bytes += r.value.length;
  }
  return { chunks, head: Buffer.concat(chunks), ended, error, rest };
}
