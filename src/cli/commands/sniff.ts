/** `dwell sniff`: which parser claims each file and why. Reads the head of each file; writes nothing. */
import { safeText } from '../../core/sanitize.js';
import { enumerateEvidence } from '../../ingest/evidence-files.js';
import { openEvidence } from '../../ingest/evidence-reader.js';
import { readHead } from '../../ingest/read-head.js';
import type { FsPath } from '../../core/evidence-path.js';
import { makeHead, sniff, MIN_CONFIDENCE } from '../../ingest/sniff.js';
import { diagnostic } from '../format.js';

interface SniffReport {
  path: string;
  compression?: string;
  winner: string | null;
  reason: string;
  candidates: { parser: string; confidence: number; reason: string }[];
  error?: string;
  /** Deliberately not read (a pipe, a loop, a link out of the evidence): why. */
  skipped?: string;
}

async function readFileHead(path: FsPath): Promise<{ head: Buffer; compression: string }> {
  const ev = await openEvidence(path);
  try {
    // A damaged compressed file: sniff what was read before the damage.
    return { head: (await readHead(ev)).head, compression: ev.compression };
  } finally {
    ev.destroy();
  }
}

export async function runSniff(inputs: string[], opts: { json?: boolean; followSymlinks?: boolean }): Promise<number> {
  const { files, problems } = await enumerateEvidence(inputs, { followSymlinks: opts.followSymlinks });
  const reports: SniffReport[] = [];
  for (const p of problems) {
    if (p.status === 'skipped') reports.push({ path: p.path, winner: null, reason: p.reason, candidates: [], skipped: p.reason });
    else reports.push({ path: p.path, winner: null, reason: p.reason, candidates: [], error: p.reason });
  }
  for (const f of files) {
    try {
      const { head, compression } = await readFileHead(f.fsPath);
      const result = compression === 'zip' ? null : sniff(makeHead(f.path, head));
      reports.push({
        path: f.path,
        compression,
        winner: result?.winner?.parser.name ?? null,
        reason: result ? result.reason : 'zip archive (not opened)',
        candidates: (result?.candidates ?? []).map((c) => ({ parser: c.parser.name, confidence: c.match.confidence, reason: c.match.reason })),
      });
    } catch (err) {
      reports.push({ path: f.path, winner: null, reason: (err as Error).message, candidates: [], error: (err as Error).message });
    }
  }
  if (opts.json) {
    process.stdout.write(JSON.stringify(reports, null, 2) + '\n');
  } else {
    for (const r of reports) {
      const path = safeText(r.path);
      if (r.error) {
        process.stdout.write(diagnostic({ level: 'error', title: `cannot read ${path}`, reason: safeText(r.error) }) + '\n\n');
        continue;
      }
      if (r.skipped) {
        process.stdout.write(diagnostic({ level: 'warning', title: `skipped ${path}`, reason: safeText(r.skipped) }) + '\n\n');
        continue;
      }
      process.stdout.write(`${path}${r.compression && r.compression !== 'none' ? ` (${r.compression})` : ''}\n`);
      process.stdout.write(r.winner ? `  → ${r.winner}: ${safeText(r.reason)}\n` : `  → no parser claims it: ${safeText(r.reason)}\n`);
      for (const c of r.candidates) {
        const mark = c.parser === r.winner ? '*' : c.confidence < MIN_CONFIDENCE ? '-' : ' ';
        process.stdout.write(`    ${mark} ${c.parser.padEnd(14)} ${String(c.confidence).padStart(3)}%  ${safeText(c.reason)}\n`);
      }
      process.stdout.write('\n');
    }
  }
  return reports.some((r) => r.error) ? 1 : 0;
}
