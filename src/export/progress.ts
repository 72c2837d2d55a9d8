/**
 * Export progress on standard error: a live bar on a terminal (rows written of the total, rate,
 * ETA — or DuckDB's own percentage for work it does alone, such as COPY to Parquet), nothing on a
 * pipe or with --quiet. The data itself may be on standard output, so nothing here writes there.
 */
import cliProgress from 'cli-progress';

export interface ExportProgress {
  /** Rows to come (null: unknown, show a percentage instead). */
  start(label: string, total: number | null): void;
  /** `done` rows written so far. */
  rows(done: number): void;
  /** 0–100 from DuckDB's query progress. */
  percent(p: number): void;
  stop(): void;
}

export const NO_PROGRESS: ExportProgress = { start() {}, rows() {}, percent() {}, stop() {} };

export function makeExportProgress(stream: NodeJS.WriteStream, quiet: boolean): ExportProgress {
  if (quiet || !stream.isTTY) return NO_PROGRESS;
  return new BarProgress(stream);
}

class BarProgress implements ExportProgress {
  private bar: cliProgress.SingleBar | null = null;
  private t0 = Date.now();
  private total = 0;
  private byPercent = false;

  constructor(private readonly out: NodeJS.WriteStream) {}

  start(label: string, total: number | null): void {
    this.stop();
    this.t0 = Date.now();
    this.byPercent = total === null;
    this.total = total ?? 100;
    this.bar = new cliProgress.SingleBar(
      {
        stream: this.out,
        format: this.byPercent ? `${label} |{bar}| {percentage}% | {elapsed}s` : `${label} |{bar}| {percentage}% | {value}/{total} rows | {rate} rows/s | ETA {eta_formatted}`,
        hideCursor: true,
        clearOnComplete: true,
        etaBuffer: 50,
        fps: 5,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(Math.max(this.total, 1), 0, { rate: '0', elapsed: '0' });
  }

  rows(done: number): void {
    const secs = Math.max((Date.now() - this.t0) / 1000, 0.001);
    this.bar?.update(Math.min(done, this.total), { rate: Math.round(done / secs).toLocaleString('en-US'), elapsed: secs.toFixed(0) });
  }

  percent(p: number): void {
    if (p < 0) return;
    const secs = (Date.now() - this.t0) / 1000;
    this.bar?.update(Math.min(Math.round(p), 100), { elapsed: secs.toFixed(0), rate: '' });
  }

  stop(): void {
    this.bar?.stop();
    this.bar = null;
  }
}
