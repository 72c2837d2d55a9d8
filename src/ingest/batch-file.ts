/**
 * Accumulates encoded rows in one reused buffer and writes each full batch to its own staging
 * file, so a batch never exists as one giant JS string and crosses no thread boundary: the
 * store loads the file with DuckDB's parallel JSON reader.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const BATCH_BYTES = 16 * 1024 * 1024;

/**
 * Spare buffers by size, reused from file to file in the same thread. A fresh 16 MB buffer per
 * file counted as external memory and set off a full V8 collection on small files: reusing it cut
 * a CloudTrail ingest of 470-record files by 12 % CPU (bench/RESULTS.md, branch `ctfast`). A batch
 * file that is never released (its parse threw) only means the next one allocates its own.
 */
const spare = new Map<number, Buffer[]>();
const SPARE_PER_SIZE = 2;

/** Spare buffers of this size held for reuse (for tests). */
export function spareBuffers(size: number): number {
  return spare.get(size)?.length ?? 0;
}

function takeBuffer(size: number): Buffer {
  return spare.get(size)?.pop() ?? Buffer.allocUnsafe(size);
}

export interface BatchFileInfo {
  file: string;
  count: number;
  bytes: number;
}

export class BatchFile {
  private readonly buf: Buffer;
  private used = 0;
  private rows = 0;
  private n = 0;
  private released = false;

  constructor(
    private readonly dir: string,
    private readonly prefix: string,
    private readonly onBatch: (info: BatchFileInfo) => void,
    private readonly limit = BATCH_BYTES,
  ) {
    this.buf = takeBuffer(limit);
  }

  /**
   * Gives the buffer back for the next file once everything is cut; the batch file is not used
   * after this. Rows still pending are an error of the caller (they would be lost).
   */
  release(): void {
    if (this.released) return;
    if (this.rows > 0) throw new Error('BatchFile released with rows not yet written');
    this.released = true;
    const list = spare.get(this.limit) ?? [];
    if (list.length < SPARE_PER_SIZE) list.push(this.buf);
    spare.set(this.limit, list);
  }

  /** Rows buffered and not yet written. */
  get pending(): number {
    return this.rows;
  }

  add(row: string): void {
    if (this.released) throw new Error('BatchFile used after release');
    // UTF-8 needs at most 3 bytes per UTF-16 code unit.
    if (row.length * 3 > this.limit - this.used) {
      this.cut();
      if (row.length * 3 > this.limit) {
        // A giant row (a 1 MiB line with its summary) gets a file of its own.
        const big = Buffer.from(row, 'utf8');
        const file = this.nextFile();
        writeFileSync(file, big);
        this.onBatch({ file, count: 1, bytes: big.length });
        return;
      }
    }
    this.used += this.buf.write(row, this.used, 'utf8');
    this.rows++;
  }

  /** Writes what is buffered to a new staging file and hands it over (nothing when empty). */
  cut(): void {
    if (this.rows === 0) return;
    const file = this.nextFile();
    writeFileSync(file, this.buf.subarray(0, this.used));
    const info = { file, count: this.rows, bytes: this.used };
    this.used = 0;
    this.rows = 0;
    this.onBatch(info);
  }

  private nextFile(): string {
    return join(this.dir, `${this.prefix}-${++this.n}.ndjson`);
  }
}
