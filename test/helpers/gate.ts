/**
 * Runs evidence text through the real per-file parse (parse-file.ts: line splitting, the parser
 * and the event gate every event passes before staging) and reads back the staged rows, so a test
 * sees exactly what would be loaded into the case.
 */
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFile, type ParseFileResult } from '../../src/ingest/parse-file.js';
import { EVENT_STAGING, WARNING_STAGING } from '../../src/store/staging-rows.js';

export interface StagedRun {
  result: ParseFileResult;
  /** Staged events, keyed by column name (ts_us, time_quality, src_ip, attrs, …). */
  events: Record<string, unknown>[];
  warnings: { line: number; byte_offset: number; raw: string; reason: string }[];
}

function decode(line: string, layout: ReadonlyArray<readonly [string, string, string]>): Record<string, unknown> {
  const o = JSON.parse(line) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [name, , key] of layout) out[name] = o[key] ?? null;
  return out;
}

export interface GateOptions {
  format?: string;
  mtimeMs?: number;
  ingestMs?: number;
  year?: number;
  tz?: string;
  extra?: Record<string, string>;
  name?: string;
}

export async function parseThroughGate(content: string | Buffer, opts: GateOptions = {}): Promise<StagedRun> {
  const dir = mkdtempSync(join(tmpdir(), 'dwell-gate-'));
  try {
    const path = join(dir, opts.name ?? 'evidence.log');
    writeFileSync(path, content);
    const mtimeMs = opts.mtimeMs ?? Date.UTC(2026, 5, 30, 12);
    utimesSync(path, mtimeMs / 1000, mtimeMs / 1000);
    const events: Record<string, unknown>[] = [];
    const warnings: StagedRun['warnings'] = [];
    const result = await parseFile(
      { path, stagingDir: dir, mtimeMs, tz: opts.tz ?? 'UTC', year: opts.year, format: opts.format, extra: opts.extra ?? {}, ingestMs: opts.ingestMs },
      {
        onBatch: async (b) => {
          for (const line of readFileSync(b.file, 'utf8').split('\n')) {
            if (line === '') continue;
            if (b.kind === 'events') events.push(decode(line, EVENT_STAGING));
            else warnings.push(decode(line, WARNING_STAGING) as StagedRun['warnings'][number]);
          }
          rmSync(b.file, { force: true });
        },
      },
    );
    return { result, events, warnings };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
