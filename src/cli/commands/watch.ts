/**
 * `dwell watch`: after containment, follow the live evidence and alert when the attacker comes
 * back (docs/watch.md). Without evidence paths it edits or lists the watch list and exits.
 */
import { userInfo } from 'node:os';
import { safeText } from '../../core/sanitize.js';
import { parseIsoMicros } from '../../core/time.js';
import type { Findings } from '../../correlate/findings-types.js';
import { caseInsideEvidence } from '../../ingest/evidence-files.js';
import { CaseDb, CaseError } from '../../store/case-db.js';
import { AlertSink } from '../../watch/alert-output.js';
import { addEntry, attackerExtras, entriesFromFindings, listEntries, parseEntry, removeEntry, syncFromFindings, WatchListError } from '../../watch/watchlist.js';
import { Watcher } from '../../watch/watcher.js';
import { interruptOnSignals } from '../interrupt.js';
import { table } from '../format.js';
import { WatchHealth } from '../../watch/health.js';
import type { Severity } from '../../watch/match.js';
import { startMemSampler } from '../../watch/mem-sampler.js';

/**
 * A watch runs for days beside the responders' other tools (issue 15: RSS < 300 MB). DuckDB's
 * share is what the soak showed it holds at its peak: the rows appended since the last
 * checkpoint, which a checkpoint doubles while it compresses them (IN_MEMORY_TABLE in
 * duckdb_memory() rose to the whole 160 MB budget at each one). At 64 MB the excess goes to a
 * temporary file for the checkpoint's few seconds (it was 100 MB while each extent still went
 * through read_json, whose 32 MiB buffer did not fit in less: extent-store.ts). DuckDB's allocator
 * (jemalloc) keeps freed pages until it next allocates in that arena: its background threads hand
 * them back to the system within about a second, and threads that allocated more than 16 MB
 * flush their caches after each task (the default, 128 MB, is above the whole budget). Measured
 * in bench/watch.mjs.
 */
const WATCH_DUCKDB_CONFIG = { memory_limit: '64MB', threads: '2', allocator_background_threads: 'true', allocator_flush_threshold: '16MB' };

export interface WatchCliOptions {
  case: string;
  findings?: number;
  add: string[];
  remove: string[];
  severity: Severity;
  list?: boolean;
  json?: boolean;
  exec?: string;
  author?: string;
  tz: string;
  year?: number;
  parserOption: Record<string, string>;
  poll: number;
  quiet?: boolean;
}

function defaultAuthor(): string {
  try {
    return process.env.DWELL_AUTHOR || userInfo().username;
  } catch {
    return process.env.USER || 'unknown';
  }
}

export async function runWatch(paths: string[], opts: WatchCliOptions, argv: string[]): Promise<number> {
  const refusal = paths.length ? await caseInsideEvidence(opts.case, paths) : null;
  if (refusal) {
    process.stderr.write(`error: ${refusal}\n`);
    return 2;
  }
  let db: CaseDb;
  try {
    // DuckDB gets a small, fixed budget (DWELL_DUCKDB_MEMORY overrides it).
    db = await CaseDb.open(opts.case, { config: { ...WATCH_DUCKDB_CONFIG, memory_limit: process.env.DWELL_DUCKDB_MEMORY ?? WATCH_DUCKDB_CONFIG.memory_limit } });
  } catch (err) {
    if (err instanceof CaseError) {
      process.stderr.write(`error: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const author = opts.author ?? defaultAuthor();
  try {
    // The watch list: findings first (the latest, or --findings N), then the analyst's edits.
    let containedAtUs: number | null = null;
    const f = await db.one<{ findings_id: number; body: string }>(
      `SELECT findings_id, CAST(body AS VARCHAR) AS body FROM findings ${opts.findings !== undefined ? 'WHERE findings_id = $id' : ''} ORDER BY findings_id DESC LIMIT 1`,
      opts.findings !== undefined ? { id: opts.findings } : undefined,
    );
    if (opts.findings !== undefined && !f) throw new WatchListError(`the case has no findings #${opts.findings}`);
    if (f) {
      const body = JSON.parse(f.body) as Findings;
      const entries = entriesFromFindings(body, await attackerExtras(db, f.findings_id));
      const added = await syncFromFindings(db, f.findings_id, entries, author);
      if (added > 0 && !opts.quiet) process.stderr.write(`watch list: ${added} entries from findings #${f.findings_id}\n`);
      const c = body.parameters?.contained_at ?? body.answers?.contained_at ?? null;
      containedAtUs = c ? (parseIsoMicros(c)?.us ?? null) : null;
    }
    for (const a of opts.add) {
      const r = await addEntry(db, { ...parseEntry(a, opts.severity), reason: `added by ${author}` }, author);
      if (!opts.quiet) process.stderr.write(`watch list: ${safeText(a)} ${r}\n`);
    }
    for (const r of opts.remove) {
      const n = await removeEntry(db, r, author);
      if (n === 0) throw new WatchListError(`--remove ${r}: no such entry in the watch list (dwell watch --case ${opts.case} --list shows them)`);
      if (!opts.quiet) process.stderr.write(`watch list: ${safeText(r)} removed\n`);
    }
    const active = await listEntries(db);
    if (opts.list || paths.length === 0) {
      if (opts.json) process.stdout.write(JSON.stringify(active, null, 2) + '\n');
      else {
        process.stdout.write(
          table(
            ['ID', 'KIND', 'VALUE', 'HOST', 'SEVERITY', 'ORIGIN', 'ADDED BY', 'WHY'],
            active.map((e) => [`#${e.entry_id}`, e.kind, safeText(e.value), safeText(e.host ?? ''), e.severity, e.origin, `${safeText(e.added_by)} ${e.added_at}`, safeText(e.reason ?? '')]),
          ) + '\n',
        );
      }
      if (paths.length === 0) return 0;
    }
    if (active.length === 0) {
      process.stderr.write(`error: the watch list is empty: run dwell correlate first, or add entries with --add ip:…\n`);
      return 2;
    }

    const sink = new AlertSink({
      json: Boolean(opts.json),
      exec: opts.exec ?? null,
      write: (t) => process.stdout.write(t),
      onExecError: (m) => process.stderr.write(`warning: ${safeText(m)}\n`),
    });
    const stop = interruptOnSignals(
      (t) => process.stderr.write(t),
      'stopping after the current extent (press again to stop at once; nothing half-stored either way)',
      'stopped at once; the next dwell watch resumes where this one stopped',
    );
    const health = new WatchHealth(process.stderr, !opts.quiet && Boolean(process.stderr.isTTY));
    const watcher = new Watcher({
      db,
      casePath: opts.case,
      inputs: paths,
      tz: opts.tz,
      year: opts.year,
      extra: opts.parserOption ?? {},
      argv: ['watch', ...argv],
      containedAtUs,
      pollMs: opts.poll,
      signal: stop.signal,
      onAlerts: async () => {
        health.clear();
        await sink.flush(db);
      },
      onNotice: (n) => {
        health.clear();
        if (opts.json) process.stdout.write(JSON.stringify(n) + '\n');
        if (!opts.quiet || n.type === 'custody') process.stderr.write(`${n.type === 'custody' ? 'CUSTODY' : 'note'}: ${safeText(n.file)}: ${safeText(n.message)}\n`);
      },
    });
    await watcher.start();
    // Alerts stored but not handed over before a kill are handed over now.
    await sink.flush(db);
    if (!opts.quiet) process.stderr.write(`watching ${paths.map(safeText).join(', ')} for ${active.length} watch-list entries (Ctrl-C stops)\n`);
    const timer = setInterval(() => health.show(watcher.stats), 1000);
    const sampler = process.env.DWELL_WATCH_MEMLOG ? await startMemSampler(db, process.env.DWELL_WATCH_MEMLOG) : null;
    try {
      await watcher.run();
    } finally {
      clearInterval(timer);
      sampler?.stop();
      health.clear();
      await watcher.stop(stop.signal.aborted);
      await sink.drain();
      stop.dispose();
    }
    if (!opts.quiet) process.stderr.write(`stopped: ${watcher.stats.files} files, ${watcher.stats.events} events, ${watcher.stats.alerts} alerts in this run\n`);
    // Ctrl-C or SIGTERM is how a watch ends: a clean stop is a success.
    return 0;
  } catch (err) {
    if (err instanceof WatchListError || err instanceof CaseError) {
      process.stderr.write(`error: ${err.message}\n`);
      return 2;
    }
    throw err;
  } finally {
    db.close();
  }
}
