/**
 * `dwell watch`'s loop: follows the evidence given as it grows and stores what is new in the case
 * with the same custody as `dwell ingest`.
 *
 * - Growing text files (a line parser claims them) are followed: each read of complete appended
 *   lines is one extent, stored in one transaction with its SHA-256 (extent-store.ts).
 * - Files that arrive whole (compressed, or a format read as one document such as CloudTrail
 *   JSON) are ingested by `dwell ingest`'s own code once their size has settled.
 * - Rotation is told by inode: the followed descriptor stays open, the rotated file's last lines
 *   are read from it, its evidence row follows it to its new name, and the new file at the old
 *   name is a new piece of evidence.
 * - A followed file that shrinks or changes in the part already read is reported (custody) and not
 *   read again silently: after a shrink, the file is new evidence from its first byte.
 *
 * Files are polled (a stat per followed file per tick; folders listed every second or when
 * fs.watch hints at a change): inotify is unreliable on network and FUSE mounts.
 */
import { watch as fsWatch, type FSWatcher, promises as fsp } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { hostname, userInfo } from 'node:os';
import type { CaseDb } from '../store/case-db.js';
import { EVENT_ID_SHIFT, EvidenceIds, insertEvidence, StagingDir, type EvidenceRow } from '../store/evidence-writer.js';
import { enumerateEvidence, type EvidenceFile } from '../ingest/evidence-files.js';
import { ingestFile, type IngestOptions, type IngestProgress } from '../ingest/pipeline.js';
import { InProcessRunner } from '../ingest/runners.js';
import { detectCompression, openEvidence } from '../ingest/evidence-reader.js';
import { createHash } from 'node:crypto';
import { makeHead, sniff } from '../ingest/sniff.js';
import { openEvidenceReadOnly } from '../core/evidence-read.js';
import { parserByName } from '../parsers/registry.js';
import type { LineParser } from '../parsers/types.js';
import { DWELL_VERSION } from '../version.js';
import { FollowedFile, HEAD_BYTES, sha256 } from './followed-file.js';
import { parseExtent } from './extent-parse.js';
import { storeExtent } from './extent-store.js';
import { evaluateRules, matchNewEvents, pendingRuleExtents, prepareRules, storeRuleHits, type PendingRules, type RuleHit } from './match.js';
import { installSqlVocabulary } from '../correlate/sql-vocabulary.js';
import type { DuckDBConnection } from '@duckdb/node-api';

export interface WatcherOptions {
  db: CaseDb;
  casePath: string;
  inputs: string[];
  tz: string;
  year?: number;
  extra: Record<string, string>;
  argv: string[];
  containedAtUs: number | null;
  /** Poll interval for followed files (ms). */
  pollMs?: number;
  /** Folder listing interval (ms), sooner when fs.watch reports a change. */
  scanMs?: number;
  /**
   * How often the watch list's rules run over the events that arrived since (ms); a run that took
   * longer than a third of it waits twice its own time before the next (the rules never take more
   * than a third of the machine from the followed files).
   */
  rulesMs?: number;
  /** A new whole file is read once its size and mtime have not changed for this long (ms). */
  settleMs?: number;
  signal: AbortSignal;
  /** New alerts were stored (called after their transaction commits). */
  onAlerts(): Promise<void>;
  /** Custody problems and notes, for the operator. */
  onNotice(n: Notice): void;
}

export interface Notice {
  type: 'custody' | 'note';
  evidence_id: number | null;
  file: string;
  message: string;
}

export interface WatchStats {
  runId: number;
  followed: number;
  files: number;
  events: number;
  alerts: number;
  /** Newest event time per source (µs). */
  lastBySource: Map<string, number>;
}

interface Pending {
  file: EvidenceFile;
  size: number;
  mtimeMs: number;
  since: number;
}

/** DuckDB's budget while a whole file is stored by ingest's code (withWholeFileBudget). */
const WHOLE_FILE_MEMORY = '100MB';

/** Bytes of a DuckDB memory setting as it prints it ('61.0 MiB') or as given ('100MB'); NaN if neither. */
function memoryBytes(text: string): number {
  const m = /^\s*([\d.]+)\s*([KMGT]i?B)\s*$/i.exec(text);
  if (!m) return NaN;
  const unit = m[2]!.toUpperCase();
  const base = unit.includes('I') ? 1024 : 1000;
  return Number(m[1]) * base ** (1 + 'KMGT'.indexOf(unit[0]!));
}

const NO_PROGRESS: IngestProgress = { start() {}, fileStarted() {}, fileProgress() {}, fileDone() {}, finish() {} };
/** An unrecognized text file waits this long for more lines before it is recorded as unrecognized. */
const UNRECOGNIZED_WAIT_MS = 5000;

export class Watcher {
  readonly stats: WatchStats = { runId: 0, followed: 0, files: 0, events: 0, alerts: 0, lastBySource: new Map() };
  private readonly followed = new Map<string, FollowedFile>();
  /** Files stored whole (or recorded), by dev:ino, with what they were when stored. */
  private readonly done = new Map<string, { path: string; size: number; mtimeMs: number; evidenceId: number | null; reported: boolean }>();
  private readonly pending = new Map<string, Pending>();
  /** The format of the last file followed at a path: the new file after a rotation inherits it. */
  private readonly formatAtPath = new Map<string, string>();
  private staging!: StagingDir;
  private ids!: EvidenceIds;
  private runner = new InProcessRunner();
  private watchers: FSWatcher[] = [];
  private scanHint = true;
  /** The rules' own connection (reads only), and their run in progress. */
  private rulesConn: DuckDBConnection | null = null;
  private rulesRun: { pending: PendingRules; done: boolean; hits: RuleHit[]; error: Error | null; promise: Promise<void> } | null = null;
  private nextRules = 0;
  /** The last error per file, reported once until it changes or clears. */
  private readonly failing = new Map<string, string>();
  private lastScan = 0;

  constructor(private readonly o: WatcherOptions) {}

  async start(): Promise<void> {
    const { db } = this.o;
    await db.run(`UPDATE ingest_runs SET status = 'interrupted' WHERE status = 'running'`);
    this.stats.runId = (await db.one<{ id: number }>(`SELECT nextval('run_id_seq')::INTEGER AS id`))!.id;
    await db.run(
      `INSERT INTO ingest_runs (run_id, started_at, dwell_version, argv, tz, year, forced_format, status, operator, hostname)
       VALUES ($id, now()::TIMESTAMP, $v, $argv::JSON, $tz, $year, NULL, 'running', $op, $host)`,
      { id: this.stats.runId, v: DWELL_VERSION, argv: JSON.stringify(this.o.argv), tz: this.o.tz, year: this.o.year ?? null, op: safeUser(), host: hostname() },
    );
    this.staging = new StagingDir(resolve(this.o.casePath));
    this.ids = await EvidenceIds.start(db);
    for (const [rule, why] of await prepareRules(db)) this.o.onNotice({ type: 'note', evidence_id: null, file: '-', message: `watch-list rule ${rule} left out: ${why}` });
    this.rulesConn = await db.connect();
    await installSqlVocabulary(this.rulesConn);
    await this.matchUnmatched();
    for (const input of this.o.inputs) {
      try {
        const w = fsWatch(input, { recursive: false, persistent: false }, () => (this.scanHint = true));
        w.on('error', () => undefined);
        this.watchers.push(w);
      } catch {
        /* polling alone then */
      }
    }
  }

  /** Runs until the signal aborts; each tick is whole (an extent or a file is stored or not at all). */
  async run(): Promise<void> {
    const pollMs = this.o.pollMs ?? 250;
    while (!this.o.signal.aborted) {
      const t0 = Date.now();
      await this.tick();
      const wait = Math.max(0, pollMs - (Date.now() - t0));
      if (wait > 0 && !this.o.signal.aborted) await sleep(wait, this.o.signal);
    }
  }

  async tick(): Promise<void> {
    // Followed files first: a rotated file's last lines are stored before its successor's first.
    for (const f of this.followed.values()) {
      if (this.o.signal.aborted) return;
      await this.guard(f.path, () => this.readFollowed(f));
    }
    await this.guard('(watch-list rules)', () => this.rules());
    const scanMs = this.o.scanMs ?? 1000;
    if (this.scanHint || Date.now() - this.lastScan >= scanMs) {
      this.scanHint = false;
      this.lastScan = Date.now();
      await this.guard('(evidence folders)', () => this.scan());
    }
    this.stats.followed = [...this.followed.values()].filter((f) => !f.stopped).length;
  }

  /**
   * The watch list's rules need context beyond the new events (a success after failures), so they
   * cannot run in each extent's transaction: every few seconds they run over the extents that
   * arrived since, on their own connection while the files are followed, and their hits are
   * stored (and the extents marked) in one short transaction here, in the tick.
   */
  private async rules(): Promise<void> {
    const run = this.rulesRun;
    if (run) {
      if (!run.done) return;
      this.rulesRun = null;
      if (run.error) throw run.error;
      const n = await storeRuleHits(this.o.db, run.pending, run.hits, this.stats.runId, this.o.containedAtUs);
      if (n > 0) {
        this.stats.alerts += n;
        await this.o.onAlerts();
      }
      return;
    }
    if (Date.now() < this.nextRules || !this.rulesConn) return;
    const pending = await pendingRuleExtents(this.o.db);
    const every = this.o.rulesMs ?? 5000;
    if (!pending) {
      this.nextRules = Date.now() + every;
      return;
    }
    const t0 = Date.now();
    const r: NonNullable<Watcher['rulesRun']> = { pending, done: false, hits: [], error: null, promise: Promise.resolve() };
    r.promise = evaluateRules(this.rulesConn, pending).then(
      (hits) => void (r.hits = hits),
      (err: Error) => void (r.error = err),
    ).finally(() => {
      r.done = true;
      const took = Date.now() - t0;
      this.nextRules = Date.now() + Math.max(every - took, took * 2);
    });
    this.rulesRun = r;
  }

  /**
   * A watcher runs for days: an error on one file (a full disk, a file gone mid-read) is reported
   * once and tried again at the next tick. What failed was rolled back, so nothing is half-stored.
   */
  private async guard(what: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
      this.failing.delete(what);
    } catch (err) {
      const message = (err as Error).message.split('\n')[0]!;
      if (this.failing.get(what) !== message) this.o.onNotice({ type: 'note', evidence_id: null, file: what, message: `error: ${message}; tried again at the next tick` });
      this.failing.set(what, message);
    }
  }

  async stop(interrupted: boolean): Promise<void> {
    for (const w of this.watchers) w.close();
    // A rules run in progress is given up (its extents stay pending for the next start).
    if (this.rulesRun && !this.rulesRun.done) this.rulesConn?.interrupt();
    await this.rulesRun?.promise;
    this.rulesConn?.closeSync();
    for (const f of this.followed.values()) await f.close();
    this.staging?.remove();
    const { db } = this.o;
    await db.run(`UPDATE ingest_runs SET finished_at = now()::TIMESTAMP, status = $s, files = $f, events = $e WHERE run_id = $id`, {
      s: interrupted ? 'interrupted' : 'completed',
      f: this.stats.files,
      e: this.stats.events,
      id: this.stats.runId,
    });
    await db.run('CHECKPOINT');
  }

  private async readFollowed(f: FollowedFile): Promise<void> {
    if (f.stopped) return;
    let size: number;
    try {
      size = await f.size();
    } catch (err) {
      this.stopFollowing(f, `cannot read it any more: ${(err as Error).message}`, 'note');
      return;
    }
    if (size === f.offset) return;
    const check = await f.check(size);
    if (!check.ok) {
      this.stopFollowing(f, `${check.reason}; not read again`, 'custody');
      await this.o.db.run(`UPDATE evidence SET message = $m, info = json_merge_patch(coalesce(info, '{}'::JSON), $i::JSON) WHERE evidence_id = $id`, {
        m: `altered after it was read: ${check.reason}`,
        i: JSON.stringify({ altered: { reason: check.reason, noticed_at: new Date().toISOString(), bytes_read: f.offset } }),
        id: f.evidenceId,
      });
      // After a shrink the file holds new content: it is read as new evidence from its first byte.
      if (check.shrunk) this.forget(f);
      return;
    }
    for (;;) {
      const next = await f.readNew(size);
      if (!next) return;
      await this.storeFollowedExtent(f, next.bytes, next.start, next.end, null);
      if (next.end >= size || this.o.signal.aborted) return;
    }
  }

  private stopFollowing(f: FollowedFile, message: string, type: Notice['type']): void {
    f.stopped = message;
    this.o.onNotice({ type, evidence_id: f.evidenceId, file: f.path, message });
  }

  private forget(f: FollowedFile): void {
    this.followed.delete(fileKey(f));
    void f.close();
  }

  private async storeFollowedExtent(f: FollowedFile, bytes: Buffer, start: number, end: number, newRow: EvidenceRow | null): Promise<void> {
    const parser = parserByName(f.format) as LineParser;
    const mtimeMs = await f.mtimeMs();
    const parsed = parseExtent({ parser, path: f.absPath, head: f.head, bytes, start, linesBefore: f.lines, mtimeMs, tz: this.o.tz, year: this.o.year, extra: this.o.extra });
    const stored = await storeExtent(this.o.db, {
      evidenceId: f.evidenceId,
      runId: this.stats.runId,
      source: parser.source,
      newRow,
      extentNo: f.extents,
      start,
      end,
      sha256: sha256(bytes),
      prefixSha256: f.prefixHashWith(bytes),
      mtimeMs,
      firstLine: f.lines + 1,
      lines: parsed.lines,
      firstSeq: f.events,
      events: parsed.events,
      warnings: parsed.warnings,
      dispositions: parsed.dispositions,
      info: parsed.info,
      containedAtUs: this.o.containedAtUs,
    });
    f.advance(bytes, parsed.lines, parsed.events.length);
    this.noteEvents(parser.source, parsed.events.map((e) => e.ts));
    if (stored.alerts > 0) {
      this.stats.alerts += stored.alerts;
      await this.o.onAlerts();
    }
  }

  private noteEvents(source: string, times: number[]): void {
    this.stats.events += times.length;
    let last = this.stats.lastBySource.get(source) ?? -Infinity;
    for (const t of times) if (t > last) last = t;
    if (times.length) this.stats.lastBySource.set(source, last);
  }

  /** Lists the evidence given, takes up new files and notices renamed ones. */
  private async scan(): Promise<void> {
    const caseAbs = resolve(this.o.casePath);
    const { files } = await enumerateEvidence(this.o.inputs, { exclude: [caseAbs, caseAbs + '.wal', caseAbs + '.staging'] });
    const seen = new Set<string>();
    for (const file of files) {
      if (this.o.signal.aborted) return;
      let st;
      try {
        st = await fsp.stat(file.fsPath);
      } catch {
        continue;
      }
      const key = fileKey({ dev: Number(st.dev), ino: Number(st.ino), birth: Number(st.birthtimeMs) });
      seen.add(key);
      const followed = this.followed.get(key);
      if (followed) {
        if (followed.absPath !== file.absPath) await this.renamed(followed, file);
        continue;
      }
      const done = this.done.get(key);
      if (done) {
        if (!done.reported && (st.size !== done.size || st.mtimeMs !== done.mtimeMs)) {
          done.reported = true;
          this.o.onNotice({ type: 'custody', evidence_id: done.evidenceId, file: file.path, message: `changed after it was stored whole (${done.size} → ${st.size} bytes); not read again: dwell verify shows the difference` });
        }
        continue;
      }
      await this.takeUp(key, { ...file, size: st.size, mtimeMs: st.mtimeMs }, { dev: Number(st.dev), ino: Number(st.ino), birth: Number(st.birthtimeMs) });
    }
    for (const key of this.pending.keys()) if (!seen.has(key)) this.pending.delete(key);
    // A stored file gone from the evidence frees its inode: a new file may get it (ext4 reuses inodes at once).
    for (const key of this.done.keys()) if (!seen.has(key)) this.done.delete(key);
    for (const [key, f] of this.followed) if (!seen.has(key) && !this.o.signal.aborted) await this.leftTheEvidence(key, f);
  }

  /**
   * A followed file no longer in the evidence given: rotated to a name outside it (the argument
   * was the file itself), or deleted. Its last lines are read from the open descriptor, its new
   * name (same folder, same inode) recorded when there is one, and it is followed no more (its
   * descriptor is closed: a week of hourly rotations must not keep 168 files open).
   */
  private async leftTheEvidence(key: string, f: FollowedFile): Promise<void> {
    await this.readFollowed(f);
    const dir = dirname(f.absPath);
    let moved: string | null = null;
    for (const name of await fsp.readdir(dir).catch(() => [] as string[])) {
      const st = await fsp.stat(join(dir, name)).catch(() => null);
      if (st && fileKey({ dev: Number(st.dev), ino: Number(st.ino), birth: Number(st.birthtimeMs) }) === fileKey(f)) {
        moved = join(dir, name);
        break;
      }
    }
    if (moved && moved !== f.absPath) {
      await this.renamed(f, { path: moved, absPath: moved, fsPath: moved, size: 0, mtimeMs: 0, info: {} });
      this.o.onNotice({ type: 'note', evidence_id: f.evidenceId, file: moved, message: 'outside the evidence given: read to its end, followed no more' });
    } else if (!moved) {
      this.o.onNotice({ type: 'note', evidence_id: f.evidenceId, file: f.path, message: 'deleted: read to its end through the open file, followed no more (dwell verify will report it MISSING)' });
    }
    this.done.set(key, { path: f.path, size: f.offset, mtimeMs: 0, evidenceId: f.evidenceId, reported: true });
    this.forget(f);
  }

  /** A followed file has a new name (rotated): its evidence row follows it. */
  private async renamed(f: FollowedFile, file: EvidenceFile): Promise<void> {
    const from = f.absPath;
    f.path = file.path;
    f.absPath = file.absPath;
    await this.o.db.run(
      `UPDATE evidence SET path = $p, abs_path = $a, info = json_merge_patch(coalesce(info, '{}'::JSON), $i::JSON) WHERE evidence_id = $id`,
      { p: file.path, a: file.absPath, i: JSON.stringify({ renamed_from: from }), id: f.evidenceId },
    );
    this.o.onNotice({ type: 'note', evidence_id: f.evidenceId, file: file.path, message: `renamed from ${from} (rotated); still followed` });
  }

  private async takeUp(key: string, file: EvidenceFile, id: FileIdentity): Promise<void> {
    if (file.size === 0) return;
    const kind = await this.classify(file);
    if (kind.what === 'wait') return;
    if (kind.what === 'follow') {
      await this.follow(key, file, id, kind.format, kind.sniffReason);
      return;
    }
    // A whole file: once it has stopped changing (a sync writes it in pieces).
    const p = this.pending.get(key);
    const now = Date.now();
    if (!p || p.size !== file.size || p.mtimeMs !== file.mtimeMs) {
      this.pending.set(key, { file, size: file.size, mtimeMs: file.mtimeMs, since: now });
      if ((this.o.settleMs ?? 300) > 0) return;
    } else if (now - p.since < (kind.what === 'unrecognized' ? UNRECOGNIZED_WAIT_MS : (this.o.settleMs ?? 300))) return;
    this.pending.delete(key);
    await this.ingestWhole(key, file);
  }

  private async classify(file: EvidenceFile): Promise<{ what: 'follow'; format: string; sniffReason: string } | { what: 'whole' | 'unrecognized' | 'wait' }> {
    let head: Buffer;
    try {
      const fh = await openEvidenceReadOnly(file.fsPath);
      try {
        const buf = Buffer.alloc(Math.min(HEAD_BYTES, file.size));
        const { bytesRead } = await fh.handle.read(buf, 0, buf.length, 0);
        head = buf.subarray(0, bytesRead);
      } finally {
        await fh.close();
      }
    } catch {
      return { what: 'whole' }; // ingest records why it cannot be read
    }
    if (detectCompression(head) !== 'none') return { what: 'whole' };
    const s = sniff(makeHead(file.absPath, head));
    const inherited = this.formatAtPath.get(file.absPath);
    const parser = s.winner?.parser ?? (inherited ? parserByName(inherited) : undefined);
    if (!parser) return head.length < HEAD_BYTES ? { what: 'unrecognized' } : { what: 'whole' };
    if (parser.kind !== 'lines') return { what: 'whole' };
    // The first line must be complete before it can be followed (a writer may be mid-line).
    if (head.indexOf(10) < 0) return { what: 'wait' };
    return { what: 'follow', format: parser.name, sniffReason: s.winner ? s.winner.match.reason : `as the file before it at this path (${inherited})` };
  }

  private async follow(key: string, file: EvidenceFile, identity: FileIdentity, format: string, sniffReason: string): Promise<void> {
    const { dev, ino, birth } = identity;
    const { db } = this.o;
    // Stored before (an earlier watch, or dwell ingest of the file as it was)? Then continue it.
    const prior = await db.all<{ evidence_id: number; abs_path: string; size: number; sha256: string; lines: number | null; events: number; format: string | null; info: string | null; extents: number }>(
      `SELECT v.evidence_id, v.abs_path, v.size, v.sha256, v.lines, v.events, v.format, v.info::VARCHAR AS info,
              (SELECT count(*)::INTEGER FROM evidence_extents x WHERE x.evidence_id = v.evidence_id) AS extents
       FROM evidence v
       WHERE v.status IN ('ingested', 'partial') AND v.compression = 'none' AND v.sha256 IS NOT NULL
         AND (v.abs_path = $p OR (json_extract(v.info, '$.followed.ino')::UBIGINT = $ino AND json_extract(v.info, '$.followed.dev')::UBIGINT = $dev))
       ORDER BY v.evidence_id DESC`,
      { p: file.absPath, ino, dev },
    );
    for (const r of prior) {
      const info = r.info ? (JSON.parse(r.info) as { followed?: { dev: number; ino: number; birth?: number }; altered?: unknown }) : {};
      if (info.altered) continue;
      // The inode alone is not the file: a deleted file's inode is given to the next new one.
      const sameInode = info.followed !== undefined && info.followed.ino === ino && info.followed.dev === dev && sameBirth(info.followed.birth, birth);
      if (info.followed !== undefined && !sameInode) continue; // another file that had this name
      const f = await FollowedFile.open(r.evidence_id, file.path, file.absPath, file.fsPath, r.format ?? format);
      const check = await f.resume({ offset: r.size, lines: r.lines ?? 0, events: r.events, extents: r.extents, sha256: r.sha256 });
      if (!check.ok) {
        await f.close();
        if (sameInode) {
          this.o.onNotice({ type: 'custody', evidence_id: r.evidence_id, file: file.path, message: `changed while not watched: ${check.reason}; ${check.shrunk ? 'read as new evidence' : 'not read again'}` });
          await db.run(`UPDATE evidence SET message = $m, info = json_merge_patch(coalesce(info, '{}'::JSON), $i::JSON) WHERE evidence_id = $id`, {
            m: `altered after it was read: ${check.reason}`,
            i: JSON.stringify({ altered: { reason: check.reason, noticed_at: new Date().toISOString(), bytes_read: r.size } }),
            id: r.evidence_id,
          });
          if (!check.shrunk) {
            this.done.set(key, { path: file.path, size: file.size, mtimeMs: file.mtimeMs, evidenceId: r.evidence_id, reported: true });
            return;
          }
        }
        continue; // stored from a file that had this name before: this one is new evidence
      }
      if (r.abs_path !== file.absPath) await this.renamed(Object.assign(f, { absPath: r.abs_path }), file);
      if (!info.followed) {
        // Stored whole by dwell ingest: from now on it is followed; its content so far is extent 0.
        await db.run('BEGIN TRANSACTION');
        // History, not new events: the rules are not run over it (they were, by dwell correlate).
        await db.run(`INSERT INTO evidence_extents VALUES ($id, 0, 0, $end, $sha, 1, $lines, 0, $events, $run, now()::TIMESTAMP, true)`, {
          id: r.evidence_id, end: r.size, sha: r.sha256, lines: r.lines ?? 0, events: r.events, run: this.stats.runId,
        });
        await db.run(`UPDATE evidence SET info = json_merge_patch(coalesce(info, '{}'::JSON), $i::JSON) WHERE evidence_id = $id`, { i: JSON.stringify({ followed: { dev, ino, birth } }), id: r.evidence_id });
        await db.run('COMMIT');
        f.extents = 1;
      }
      this.followed.set(key, f);
      this.formatAtPath.set(file.absPath, f.format);
      this.stats.files++;
      await this.readFollowed(f);
      return;
    }
    // New evidence: its first extent creates its evidence row.
    const id = this.ids.take();
    const f = await FollowedFile.open(id, file.path, file.absPath, file.fsPath, format);
    const parser = parserByName(format)!;
    const newRow: EvidenceRow = {
      evidence_id: id, run_id: this.stats.runId, path: file.path, abs_path: file.absPath, size: 0, mtime_ms: file.mtimeMs, sha256: null,
      compression: 'none', format, parser_version: parser.version, sniff_reason: sniffReason, status: 'ingested', message: null,
      lines: 0, record_lines: 0, continuation_lines: 0, meta_lines: 0, blank_lines: 0, warning_lines: 0, events: 0, warnings: 0,
      first_ts_us: null, last_ts_us: null, year_shift: null, duplicate_of: null, info: { ...file.info, followed: { dev, ino, birth } },
    };
    // Until the first extent is stored nothing else holds the file: close it on any failure
    // (a store that failed left the descriptor to the garbage collector, one per retry).
    try {
      const size = await f.size();
      const first = await f.readNew(size);
      if (!first) {
        await f.close();
        return;
      }
      await this.storeFollowedExtent(f, first.bytes, first.start, first.end, newRow);
    } catch (err) {
      await f.close();
      throw err;
    }
    this.followed.set(key, f);
    this.formatAtPath.set(file.absPath, format);
    this.stats.files++;
    await this.readFollowed(f);
  }

  /** A file that arrived whole: `dwell ingest`'s code stores it; its events are then matched. */
  private async ingestWhole(key: string, file: EvidenceFile): Promise<void> {
    if (await this.compressedCopyOfFollowed(key, file)) return;
    const opts: IngestOptions = { casePath: this.o.casePath, inputs: this.o.inputs, tz: this.o.tz, year: this.o.year, extra: this.o.extra };
    const report = await this.withWholeFileBudget(() =>
      ingestFile(this.o.db, this.staging, this.runner, this.stats.runId, file, opts, NO_PROGRESS, () => false, this.ids, () => undefined, () => Promise.resolve()),
    );
    this.done.set(key, { path: file.path, size: file.size, mtimeMs: file.mtimeMs, evidenceId: report?.evidenceId ?? null, reported: false });
    if (!report || report.evidenceId === null) return;
    if (report.status !== 'already_ingested') this.stats.files++;
    if (report.status === 'duplicate') this.o.onNotice({ type: 'note', evidence_id: report.evidenceId, file: file.path, message: report.message ?? 'duplicate' });
    await this.matchUnmatched();
  }

  /**
   * `dwell ingest`'s load goes through DuckDB's JSON reader, which takes a 32 MiB buffer per scan
   * thread whatever the file's size: more than a watcher's 64 MB budget holds beside the case.
   * While a whole file is stored the budget is raised to WHOLE_FILE_MEMORY, then set back (a
   * CloudTrail file or an archive arrives now and then; followed files never need it).
   */
  private async withWholeFileBudget<T>(fn: () => Promise<T>): Promise<T> {
    const { db } = this.o;
    const before = (await db.one<{ v: string }>(`SELECT current_setting('memory_limit') AS v`))?.v ?? null;
    const raise = before !== null && memoryBytes(before) < memoryBytes(WHOLE_FILE_MEMORY);
    // Both values are DuckDB's own text or a constant, never evidence (SET takes no parameters).
    if (raise) await db.run(`SET memory_limit = '${WHOLE_FILE_MEMORY}'`);
    try {
      return await fn();
    } finally {
      if (raise) await db.run(`SET memory_limit = '${before!.replace(/'/g, '')}'`);
    }
  }

  /**
   * logrotate's `compress`: `auth.log.2.gz` is a file this watch (or an earlier one) followed,
   * compressed. Its decompressed content is hashed and compared with the followed files' bytes
   * read; the same content is recorded as a duplicate of that evidence (its own SHA-256 kept for
   * verify), not ingested a second time.
   */
  private async compressedCopyOfFollowed(key: string, file: EvidenceFile): Promise<boolean> {
    const { db } = this.o;
    const any = await db.one(`SELECT 1 FROM evidence WHERE json_extract(info, '$.followed') IS NOT NULL LIMIT 1`);
    if (!any) return false;
    let ev;
    try {
      ev = await openEvidence(file.fsPath);
    } catch {
      return false;
    }
    if (ev.compression === 'none' || ev.compression === 'zip') {
      ev.destroy();
      return false;
    }
    const hash = createHash('sha256');
    let bytes = 0;
    try {
      for await (const chunk of ev.data) {
        hash.update(chunk);
        bytes += chunk.length;
      }
    } catch {
      ev.skipRest(); // damaged: ingest reads it and says so
      await ev.digest.catch(() => undefined);
      return false;
    }
    const raw = await ev.digest;
    const content = hash.digest('hex');
    const copy = await db.one<{ evidence_id: number; format: string | null }>(
      `SELECT evidence_id, format FROM evidence WHERE sha256 = $h AND size = $n AND json_extract(info, '$.followed') IS NOT NULL ORDER BY evidence_id LIMIT 1`,
      { h: content, n: bytes },
    );
    if (!copy) return false;
    const id = this.ids.take();
    const message = `the ${ev.compression} of followed evidence #${copy.evidence_id} (same ${bytes} bytes, SHA-256 ${content.slice(0, 16)}… decompressed): recorded, no events added`;
    await insertEvidence(db.conn, {
      evidence_id: id, run_id: this.stats.runId, path: file.path, abs_path: file.absPath, size: file.size, mtime_ms: file.mtimeMs, sha256: raw.sha256,
      compression: ev.compression, format: copy.format, parser_version: null, sniff_reason: 'compressed copy of a followed file', status: 'duplicate', message,
      lines: null, record_lines: null, continuation_lines: null, meta_lines: null, blank_lines: null, warning_lines: null, events: 0, warnings: 0,
      first_ts_us: null, last_ts_us: null, year_shift: null, duplicate_of: copy.evidence_id, info: { ...file.info, content_sha256: content },
    });
    this.done.set(key, { path: file.path, size: file.size, mtimeMs: file.mtimeMs, evidenceId: id, reported: false });
    this.stats.files++;
    this.o.onNotice({ type: 'note', evidence_id: id, file: file.path, message });
    await this.matchUnmatched();
    return true;
  }

  /**
   * Evidence stored by a watch run whose events were not matched yet (a whole file is stored by
   * ingest's transaction, then matched in a second one, which also records its extent): a kill
   * between the two is caught up here, at start and after each whole file.
   */
  private async matchUnmatched(): Promise<void> {
    const { db } = this.o;
    const rows = await db.all<{ evidence_id: number; size: number; sha256: string; lines: number | null; events: number; run_id: number; source: string | null }>(
      `SELECT v.evidence_id, v.size, v.sha256, v.lines, v.events, v.run_id,
              (SELECT any_value(source) FROM events e WHERE e.evidence_id = v.evidence_id) AS source
       FROM evidence v
       WHERE v.run_id IN (SELECT run_id FROM ingest_runs WHERE json_extract_string(argv, '$[0]') = 'watch')
         AND v.sha256 IS NOT NULL AND v.status IN ('ingested', 'partial', 'recorded', 'unrecognized', 'duplicate', 'skipped')
         AND NOT EXISTS (SELECT 1 FROM evidence_extents x WHERE x.evidence_id = v.evidence_id)
       ORDER BY v.evidence_id`,
    );
    let alerts = 0;
    for (const r of rows) {
      await db.run('BEGIN TRANSACTION');
      try {
        if (r.events > 0) {
          const lo = r.evidence_id * EVENT_ID_SHIFT;
          alerts += await matchNewEvents(db, { ranges: [[lo, lo + r.events - 1]], runId: this.stats.runId, containedAtUs: this.o.containedAtUs }, 'entries');
        }
        await db.run(`INSERT INTO evidence_extents VALUES ($id, 0, 0, $end, $sha, 1, $lines, 0, $events, $run, now()::TIMESTAMP, false)`, {
          id: r.evidence_id, end: r.size, sha: r.sha256, lines: r.lines ?? 0, events: r.events, run: this.stats.runId,
        });
        await db.run('COMMIT');
      } catch (err) {
        await db.run('ROLLBACK').catch(() => undefined);
        throw err;
      }
      if (r.events > 0 && r.source) {
        const t = await db.one<{ last: number | null }>(`SELECT epoch_us(max(ts)) AS last FROM events WHERE evidence_id = $id`, { id: r.evidence_id });
        this.noteEvents(r.source, []);
        this.stats.events += r.events;
        if (t?.last != null) this.stats.lastBySource.set(r.source, Math.max(this.stats.lastBySource.get(r.source) ?? -Infinity, t.last));
      }
    }
    if (alerts > 0) {
      this.stats.alerts += alerts;
      await this.o.onAlerts();
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((res) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      res();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

function safeUser(): string | null {
  try {
    return userInfo().username;
  } catch {
    return null;
  }
}

/** What tells one file from another while it is watched: device, inode and birth time (0 where the file system keeps none). */
interface FileIdentity {
  dev: number;
  ino: number;
  birth: number;
}

function fileKey(f: FileIdentity): string {
  return `${f.dev}:${f.ino}:${f.birth}`;
}

/** Birth times agree, or one side does not know it (a row stored before they were recorded, a file system without them). */
function sameBirth(recorded: number | undefined, now: number): boolean {
  return !recorded || !now || recorded === now;
}
