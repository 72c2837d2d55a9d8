/**
 * Where files are parsed: worker threads when running the built CLI (parsing uses one core while
 * DuckDB stores on the other), in-process when running from TypeScript sources (tests), which
 * cannot start a worker on a .ts file.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ParseCancelled, parseFile, type ParseFileHooks, type ParseFileOptions, type ParseFileResult } from './parse-file.js';
import type { FromWorker, ToWorker } from './parse-worker.js';
import { threadMemory } from '../correlate/memory-profile.js';

export interface FileRunner {
  run(opts: ParseFileOptions, hooks: ParseFileHooks): Promise<ParseFileResult>;
  /** Stops the file being parsed now: its run() rejects with ParseCancelled. */
  cancel(): void;
  close(): Promise<void>;
}

export class InProcessRunner implements FileRunner {
  run(opts: ParseFileOptions, hooks: ParseFileHooks): Promise<ParseFileResult> {
    return parseFile(opts, hooks);
  }
  /** The parse checks hooks.isCancelled between chunks (this thread is the one that runs it). */
  cancel(): void {}
  async close(): Promise<void> {}
}

export class RunnerError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

const WORKER_URL = new URL('./parse-worker.js', import.meta.url);

export function workersAvailable(): boolean {
  return import.meta.url.endsWith('.js') && existsSync(fileURLToPath(WORKER_URL));
}

export class WorkerRunner implements FileRunner {
  private worker!: Worker;
  private job = 0;
  private current: { job: number; hooks: ParseFileHooks; resolve: (r: ParseFileResult) => void; reject: (e: Error) => void } | null = null;
  /** Batches are stored one after the other, in order; the file is done only after the last. */
  private chain: Promise<void> = Promise.resolve();

  constructor() {
    this.start();
  }

  private start(): void {
    const worker = new Worker(WORKER_URL);
    const name = `worker${worker.threadId}`;
    worker.on('message', (msg: FromWorker) => (msg.type === 'memory' ? threadMemory(name, msg.usage) : this.onMessage(msg)));
    worker.on('exit', () => threadMemory(name, null));
    worker.on('error', (err) => {
      this.current?.reject(err);
      this.current = null;
      if (this.worker === worker) this.start();
    });
    this.worker = worker;
  }

  /** A worker waiting for an acknowledgement that will never come is replaced. */
  private restart(): void {
    const old = this.worker;
    this.start();
    void old.terminate();
  }

  run(opts: ParseFileOptions, hooks: ParseFileHooks): Promise<ParseFileResult> {
    const job = ++this.job;
    return new Promise((resolve, reject) => {
      this.current = { job, hooks, resolve, reject };
      this.chain = Promise.resolve();
      this.worker.postMessage({ type: 'parse', job, opts } satisfies ToWorker);
    });
  }

  /** The worker may be deep in a chunk that yields no batch (a gigabyte of blank lines): end it. */
  cancel(): void {
    const cur = this.current;
    if (!cur) return;
    this.current = null;
    this.restart();
    cur.reject(new ParseCancelled());
  }

  private onMessage(msg: Exclude<FromWorker, { type: 'memory' }>): void {
    const cur = this.current;
    if (!cur || msg.job !== cur.job) return;
    switch (msg.type) {
      case 'batch':
        this.chain = this.chain
          .then(() => cur.hooks.onBatch(msg.batch))
          .then(
            () => this.worker.postMessage({ type: 'ack', job: msg.job } satisfies ToWorker),
            (err: Error) => {
              if (this.current === cur) {
                this.current = null;
                this.restart();
                cur.reject(err);
              }
              throw err;
            },
          );
        this.chain.catch(() => undefined);
        break;
      case 'progress':
        cur.hooks.onProgress?.(msg.rawBytes, msg.events);
        break;
      case 'done':
        this.chain.then(
          () => {
            if (this.current === cur) this.current = null;
            cur.resolve(msg.result);
          },
          () => undefined,
        );
        break;
      case 'error':
        this.current = null;
        cur.reject(new RunnerError(msg.message, msg.code));
        break;
    }
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
