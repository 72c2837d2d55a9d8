/**
 * Ingest progress: a live bar on a TTY (files, bytes, events/s, ETA), one plain line per file
 * otherwise (CI logs, pipes), nothing with --quiet.
 */
import cliProgress from 'cli-progress';
import { safeText } from '../core/sanitize.js';
import type { EvidenceFile } from '../ingest/evidence-files.js';
import type { FileReport, IngestProgress } from '../ingest/pipeline.js';
import { humanBytes, humanCount } from './format.js';

export function makeProgress(stream: NodeJS.WriteStream, quiet: boolean): IngestProgress {
  if (quiet) return { start() {}, fileStarted() {}, fileProgress() {}, fileDone() {}, finish() {} };
  return stream.isTTY ? new BarProgress(stream) : new LineProgress(stream);
}

class LineProgress implements IngestProgress {
  private done = 0;
  private total = 0;
  constructor(private readonly out: NodeJS.WriteStream) {}
  start(totalFiles: number, totalBytes: number) {
    this.total = totalFiles;
    this.out.write(`ingesting ${totalFiles} file(s), ${humanBytes(totalBytes)}\n`);
  }
  fileStarted() {}
  fileProgress() {}
  fileDone(r: FileReport, file: EvidenceFile | null) {
    if (file) this.done++;
    const counter = file ? `[${this.done}/${this.total}] ` : '';
    this.out.write(`${counter}${r.status} ${safeText(r.path)}${r.format ? ` (${r.format})` : ''}: ${humanCount(r.events)} events, ${humanCount(r.warnings)} warnings\n`);
  }
  finish() {}
  step(text: string) {
    this.out.write(`${text}…\n`);
  }
}

class BarProgress implements IngestProgress {
  private bar: cliProgress.SingleBar | null = null;
  private totalBytes = 0;
  private doneBytes = 0;
  private doneEvents = 0;
  private doneFiles = 0;
  private totalFiles = 0;
  private readonly live = new Map<string, { bytes: number; events: number }>();
  private readonly t0 = Date.now();

  constructor(private readonly out: NodeJS.WriteStream) {}

  start(totalFiles: number, totalBytes: number) {
    this.totalBytes = Math.max(totalBytes, 1);
    this.totalFiles = totalFiles;
    this.bar = new cliProgress.SingleBar(
      {
        stream: this.out,
        format: 'ingest |{bar}| {percentage}% | {files} files | {mb} | {eps} events/s | ETA {eta_formatted} | {file}',
        hideCursor: true,
        clearOnComplete: true,
        etaBuffer: 50,
        fps: 5,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(this.totalBytes, 0, this.payload(''));
  }
  fileStarted(file: EvidenceFile) {
    this.live.set(file.absPath, { bytes: 0, events: 0 });
    this.update(file.path);
  }
  fileProgress(file: EvidenceFile, rawBytes: number, events: number) {
    this.live.set(file.absPath, { bytes: rawBytes, events });
    this.update(file.path);
  }
  fileDone(r: FileReport, file: EvidenceFile | null) {
    if (!file) return;
    this.live.delete(file.absPath);
    this.doneFiles++;
    this.doneBytes += file.size;
    this.doneEvents += r.events;
    this.update(file.path);
  }
  finish() {
    this.bar?.stop();
  }
  step(text: string) {
    this.out.write(`${text}…\n`);
  }
  private update(path: string) {
    let bytes = this.doneBytes;
    let events = this.doneEvents;
    for (const v of this.live.values()) {
      bytes += v.bytes;
      events += v.events;
    }
    this.bar?.update(Math.min(bytes, this.totalBytes), this.payload(path, events, bytes));
  }
  private payload(path: string, events = 0, bytes = 0) {
    const secs = Math.max((Date.now() - this.t0) / 1000, 0.001);
    const name = safeText(path);
    return {
      files: `${this.doneFiles}/${this.totalFiles}`,
      mb: `${humanBytes(bytes)}/${humanBytes(this.totalBytes)}`,
      eps: humanCount(Math.round(events / secs)),
      file: name.length > 40 ? '…' + name.slice(-39) : name,
    };
  }
}
