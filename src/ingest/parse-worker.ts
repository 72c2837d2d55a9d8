/**
 * Worker thread entry: parses evidence files handed over by the ingest pipeline and posts their
 * batches back, waiting for each to be acknowledged (so a slow store slows the parse, not memory).
 */
import { parentPort } from 'node:worker_threads';
import { parseFile, type Batch, type ParseFileOptions } from './parse-file.js';
import { MEMORY_INTERVAL_MS, memoryProfileEnabled, type ThreadMemory } from '../correlate/memory-profile.js';

export type ToWorker = { type: 'parse'; job: number; opts: ParseFileOptions } | { type: 'ack'; job: number } | { type: 'exit' };
export type FromWorker =
  | { type: 'batch'; job: number; batch: Batch }
  | { type: 'progress'; job: number; rawBytes: number; events: number }
  | { type: 'done'; job: number; result: Awaited<ReturnType<typeof parseFile>> }
  | { type: 'error'; job: number; message: string; code?: string }
  /** DWELL_MEMORY=1: this thread's own heap and buffers, twice a second (the main thread's sampler cannot see them). */
  | { type: 'memory'; usage: ThreadMemory };

/** Batches in flight: parsing runs ahead of the store by this many batches, no more. */
const WINDOW = 2;

const port = parentPort;
if (port) {
  const postMemory = () => {
    const { heapUsed, heapTotal, external } = process.memoryUsage();
    port.postMessage({ type: 'memory', usage: { heapUsed, heapTotal, external } } satisfies FromWorker);
  };
  // Also after each file: a run of small files may end before the first tick.
  const profiling = memoryProfileEnabled();
  if (profiling) setInterval(postMemory, MEMORY_INTERVAL_MS).unref();
  let outstanding = 0;
  let ackWaiter: (() => void) | null = null;
  port.on('message', (msg: ToWorker) => {
    if (msg.type === 'ack') {
      outstanding--;
      if (ackWaiter && outstanding < WINDOW) {
        const w = ackWaiter;
        ackWaiter = null;
        w();
      }
    } else if (msg.type === 'exit') {
      process.exit(0);
    } else if (msg.type === 'parse') {
      const { job, opts } = msg;
      outstanding = 0;
      ackWaiter = null;
      parseFile(opts, {
        onBatch: (batch) => {
          outstanding++;
          port.postMessage({ type: 'batch', job, batch } satisfies FromWorker);
          if (outstanding < WINDOW) return Promise.resolve();
          return new Promise<void>((resolve) => {
            ackWaiter = resolve;
          });
        },
        onProgress: (rawBytes, events) => port.postMessage({ type: 'progress', job, rawBytes, events } satisfies FromWorker),
      }).then(
        (result) => {
          if (profiling) postMemory();
          port.postMessage({ type: 'done', job, result } satisfies FromWorker);
        },
        (err: NodeJS.ErrnoException) => port.postMessage({ type: 'error', job, message: err.message, code: err.code } satisfies FromWorker),
      );
    }
  });
}
