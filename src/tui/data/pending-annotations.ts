/**
 * Marks and notes the case cannot take yet, kept in a side file next to it until it can.
 *
 * Why: an annotation needs the case read-write, and DuckDB gives a read-write open only to a
 * process when no other process holds the file — not even read-only. With two `dwell tui` open on
 * one case (two analysts, or one with two terminals), neither could ever write: every note was
 * "not saved". Measured alternatives: retrying cannot help (the other TUI holds its read-only
 * handle for its whole session), and taking turns would need every TUI to give up its handle on
 * request. So every annotation is first appended (one write, fsync) to
 * `CASE.annotations-pending.jsonl` — from then on it is on disk and cannot be lost — and then
 * merged into the case whenever a read-write open succeeds: at once when the case is free, else
 * on the next annotation, when a TUI quits (the last one to quit merges everyone's) or starts, or
 * whoever calls mergePending (ingest could).
 *
 * Merging never loses a line that is being appended, with no lock between processes:
 *  - the merger (holding the case read-write, so one at a time) first renames the side file to a
 *    name of its own, then reads it, inserts in one transaction, and deletes it after the commit;
 *  - an appender, after its write and fsync, checks that the side file's name still leads to the
 *    file it wrote to. If not, a merge took the file meanwhile and may have read it before the
 *    write landed: the line is appended again, to the new side file;
 *  - so a line can arrive twice, and merging inserts an annotation only if the case has none with
 *    the same event, kind, text, author and time (to the millisecond): a merge interrupted after
 *    its commit and before deleting its file is harmless for the same reason.
 * A line that cannot be read (a torn write from a crash) keeps its file in place and is counted
 * in every merge's answer, never silently dropped.
 */
import { promises as fsp } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CaseDb } from '../../store/case-db.js';
import type { MarkKind } from './types.js';

/** One mark or note as the analyst made it. */
export interface PendingAnnotation {
  eventId: number;
  kind: MarkKind;
  text: string | null;
  author: string;
  /** ISO 8601 UTC, milliseconds: when the analyst made it (kept as the annotation's time). */
  createdAt: string;
}

export function pendingPath(casePath: string): string {
  return `${casePath}.annotations-pending.jsonl`;
}

const MERGING = '.annotations-pending.merging-';

/** The side file and any a merge took but has not finished with (oldest first). */
async function sideFiles(casePath: string): Promise<string[]> {
  const dir = dirname(casePath);
  const prefix = basename(casePath) + MERGING;
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch {
    return [];
  }
  const taken = names.filter((n) => n.startsWith(prefix) && n.endsWith('.jsonl')).sort().map((n) => join(dir, n));
  const live = pendingPath(casePath);
  return names.includes(basename(live)) ? [...taken, live] : taken;
}

/** Is anything waiting to be merged? (one readdir) */
export async function hasPending(casePath: string): Promise<boolean> {
  return (await sideFiles(casePath)).length > 0;
}

const MAX_APPENDS = 5;

/**
 * Appends one annotation to the side file, on disk (fsync) when this returns. `beforeWrite` (tests)
 * runs between opening the file and writing to it: where a merge can take the file.
 */
export async function appendPending(casePath: string, a: PendingAnnotation, opts: { beforeWrite?: () => Promise<void> } = {}): Promise<void> {
  const path = pendingPath(casePath);
  const line = Buffer.from(JSON.stringify({ v: 1, ...a }) + '\n');
  for (let i = 0; i < MAX_APPENDS; i++) {
    // Created like the case (the process's umask): whoever may write the case may add to it.
    const fh = await fsp.open(path, 'a');
    let ino: number;
    try {
      if (i === 0) await opts.beforeWrite?.();
      // One write of a whole line: appends from several processes never interleave within it.
      await fh.write(line, 0, line.length);
      await fh.sync();
      ino = (await fh.stat()).ino;
    } finally {
      await fh.close();
    }
    try {
      if ((await fsp.stat(path)).ino === ino) return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    // A merge renamed the file between our open and this check: append again (see above).
  }
  throw new Error(`${path} keeps being taken by merges: annotation not written`);
}

const KINDS: ReadonlySet<string> = new Set(['mark', 'note']);

/** A line of a side file, or null when it is not a whole, valid annotation. */
function parseLine(line: string): PendingAnnotation | null {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return null;
  }
  const o = v as Record<string, unknown>;
  if (typeof o !== 'object' || o === null) return null;
  const ok =
    Number.isSafeInteger(o.eventId) &&
    typeof o.kind === 'string' &&
    KINDS.has(o.kind) &&
    (o.text === null || typeof o.text === 'string') &&
    typeof o.author === 'string' &&
    typeof o.createdAt === 'string' &&
    !Number.isNaN(Date.parse(o.createdAt));
  return ok ? { eventId: o.eventId as number, kind: o.kind as MarkKind, text: o.text as string | null, author: o.author as string, createdAt: new Date(o.createdAt as string).toISOString() } : null;
}

async function readFile(path: string): Promise<{ items: PendingAnnotation[]; unreadable: number }> {
  let text: string;
  try {
    text = await fsp.readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { items: [], unreadable: 0 };
    throw err;
  }
  const items: PendingAnnotation[] = [];
  let unreadable = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const a = parseLine(line);
    if (a) items.push(a);
    else unreadable++;
  }
  return { items, unreadable };
}

/** Everything waiting in the side files (duplicates removed), for display. */
export async function readPending(casePath: string): Promise<{ items: PendingAnnotation[]; unreadable: number }> {
  const items: PendingAnnotation[] = [];
  let unreadable = 0;
  for (const f of await sideFiles(casePath)) {
    const r = await readFile(f);
    items.push(...r.items);
    unreadable += r.unreadable;
  }
  return { items: dedupe(items), unreadable };
}

export function sameAnnotation(a: PendingAnnotation, b: PendingAnnotation): boolean {
  return a.eventId === b.eventId && a.kind === b.kind && a.text === b.text && a.author === b.author && a.createdAt === b.createdAt;
}

function dedupe(items: PendingAnnotation[]): PendingAnnotation[] {
  const out: PendingAnnotation[] = [];
  for (const a of items) if (!out.some((b) => sameAnnotation(a, b))) out.push(a);
  return out;
}

export interface MergeResult {
  /** Annotations inserted into the case now. */
  merged: number;
  /** Found in a side file but already in the case (appended twice, or a merge cut short). */
  already: number;
  /** Lines that could not be read; their files are kept. */
  unreadable: number;
  /** Files kept because of unreadable lines. */
  kept: string[];
}

/**
 * Merges the side files — and `extra`, annotations that could not be written to one — into the
 * case, which must be open read-write. Removes the files it merged.
 */
export async function mergePending(db: CaseDb, casePath: string, extra: PendingAnnotation[] = []): Promise<MergeResult> {
  const live = pendingPath(casePath);
  const files = (await sideFiles(casePath)).filter((f) => f !== live);
  try {
    const mine = `${casePath}${MERGING}${String(Date.now()).padStart(15, '0')}-${process.pid}.jsonl`;
    await fsp.rename(live, mine);
    files.push(mine);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const read = await Promise.all(files.map(async (f) => ({ f, ...(await readFile(f)) })));
  const all = dedupe([...read.flatMap((r) => r.items), ...extra]);
  let merged = 0;
  await db.run('BEGIN TRANSACTION');
  try {
    for (const a of all) {
      const [r] = await db.all<{ n: number }>(
        `INSERT INTO annotations (annotation_id, event_id, kind, text, author, created_at)
         SELECT nextval('annotation_id_seq'), $id::BIGINT, $kind, $text, $author, $at::TIMESTAMP
         WHERE NOT EXISTS (SELECT 1 FROM annotations WHERE event_id = $id::BIGINT AND kind = $kind AND text IS NOT DISTINCT FROM $text
                           AND author = $author AND created_at = $at::TIMESTAMP)
         RETURNING 1 AS n`,
        { id: BigInt(a.eventId), kind: a.kind, text: a.text, author: a.author, at: a.createdAt.replace('T', ' ').replace('Z', '') },
      );
      if (r) merged++;
    }
    await db.run('COMMIT');
  } catch (err) {
    await db.run('ROLLBACK').catch(() => undefined);
    // The files stay (renamed): the next merge takes them up.
    throw err;
  }
  const kept: string[] = [];
  for (const r of read) {
    if (r.unreadable > 0) kept.push(r.f);
    else await fsp.rm(r.f, { force: true });
  }
  return { merged, already: all.length - merged, unreadable: read.reduce((s, r) => s + r.unreadable, 0), kept };
}

/**
 * One attempt to merge with a read-write open of the case's own (about 0.1 s; fails at once when
 * another process holds the case, even read-only). For a process that does not hold the case.
 */
export async function tryMerge(casePath: string, extra: PendingAnnotation[] = []): Promise<{ ok: true; result: MergeResult } | { ok: false; reason: string }> {
  let db: CaseDb;
  try {
    db = await CaseDb.open(casePath);
  } catch (err) {
    return { ok: false, reason: busyReason(err) };
  }
  try {
    return { ok: true, result: await mergePending(db, casePath, extra) };
  } catch (err) {
    return { ok: false, reason: busyReason(err) };
  } finally {
    db.close();
  }
}

/** Why a read-write open failed, in one line ("in use by another dwell process (PID 4242)"). */
export function busyReason(err: unknown): string {
  const msg = (err as Error)?.message ?? String(err);
  const pid = /PID (\d+)/.exec(msg)?.[1];
  if (/lock/i.test(msg)) return `the case is in use by another dwell process${pid ? ` (PID ${pid})` : ''}`;
  return msg.split('\n')[0]!;
}
