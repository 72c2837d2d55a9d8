/**
 * An evidence file being written: plain or gzip (Node's zlib: no name, mtime 0 in the header, so
 * the bytes depend only on the content), buffered, with back-pressure, counting its lines so the
 * ground truth can cite them. Its mtime is set when the generation ends (the time of its last record,
 * as a copy that preserved timestamps would show).
 */
import { createWriteStream, mkdirSync, utimesSync, writeFileSync, type WriteStream } from 'node:fs';
import { dirname, join } from 'node:path';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { createGzip, gzipSync, type Gzip } from 'node:zlib';

export const GZIP_LEVEL = 6;

export class OutFile {
  lines = 0;
  /** Time (µs) to give the file as mtime. */
  mtime = 0;
  private parts: string[] = [];
  private pending = 0;
  private out: WriteStream | null = null;
  private gz: Gzip | null = null;

  constructor(private readonly root: string, readonly rel: string, private readonly gzip: boolean, registry: FileRegistry) {
    registry.add(this);
  }

  get path(): string {
    return join(this.root, this.rel);
  }

  /** Appends one line (without terminator); returns its 1-based line number. */
  line(text: string): number {
    this.parts.push(text, '\n');
    this.pending += text.length + 1;
    return ++this.lines;
  }

  /** Writes what is buffered, waiting for the disk when it lags. */
  async drain(): Promise<void> {
    if (this.parts.length === 0) return;
    if (!this.out) {
      mkdirSync(dirname(this.path), { recursive: true });
      this.out = createWriteStream(this.path);
      if (this.gzip) {
        this.gz = createGzip({ level: GZIP_LEVEL });
        this.gz.pipe(this.out);
      }
    }
    const buf = this.parts.join('');
    this.parts = [];
    this.pending = 0;
    const target = this.gz ?? this.out;
    if (!target.write(buf)) await once(target, 'drain');
  }

  /** Buffered bytes waiting (to drain early in busy hours). */
  get buffered(): number {
    return this.pending;
  }

  async close(): Promise<void> {
    await this.drain();
    if (!this.out) {
      // Nothing was ever written: an empty file.
      mkdirSync(dirname(this.path), { recursive: true });
      writeFileSync(this.path, this.gzip ? gzipSync(Buffer.alloc(0), { level: GZIP_LEVEL }) : '');
      return;
    }
    if (this.gz) {
      this.gz.end();
    } else {
      this.out.end();
    }
    await finished(this.out);
  }
}

/** Whole files written at once (CloudTrail and VPC deliveries). */
export function writeWhole(root: string, rel: string, text: string, gzip: boolean, mtime: number, registry: FileRegistry): void {
  const path = join(root, rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, gzip ? gzipSync(Buffer.from(text, 'utf8'), { level: GZIP_LEVEL }) : text);
  registry.mtimes.set(path, mtime);
}

/** Every file written, for the final mtimes and the report. */
export class FileRegistry {
  readonly files: OutFile[] = [];
  readonly mtimes = new Map<string, number>();
  add(f: OutFile): void {
    this.files.push(f);
  }
  applyMtimes(): void {
    for (const f of this.files) this.mtimes.set(f.path, f.mtime);
    for (const [path, us] of this.mtimes) {
      const s = Math.floor(us / 1_000_000);
      utimesSync(path, s, s);
    }
  }
}
