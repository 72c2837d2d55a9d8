/** Builds small synthetic cases for the TUI tests: events, evidence, and optional findings. */
import { CaseDb } from '../../../src/store/case-db.js';
import { buildTimelineIndex } from '../../../src/store/timeline-index.js';

export interface SynthEvent {
  ts: string; // 'YYYY-MM-DD HH:MM:SS[.ffffff]' UTC
  source?: string;
  host?: string;
  actor?: string | null;
  action?: string;
  outcome?: string;
  src_ip?: string | null;
  dst_ip?: string | null;
  session?: string | null;
  access_key?: string | null;
  target?: string | null;
  summary?: string;
  raw?: string;
  attrs?: Record<string, unknown>;
  /** Evidence file number (1-based); default 1. */
  file?: number;
  /** Default 'exact'. */
  time_quality?: string;
}

export interface SynthAttack {
  /** Index into the events array. */
  event: number;
  phase: 'recon' | 'access' | 'actions' | 'exfiltration';
  technique?: string;
}

export interface SynthOptions {
  attack?: SynthAttack[];
  answers?: Record<string, unknown>;
  index?: boolean;
  /** evidence abs_path per file number; default a path that does not exist. */
  files?: Record<number, { path: string; sha256: string; compression?: string }>;
}

/** Writes the case; returns the event_id of each input event (in input order). */
export async function createSyntheticCase(path: string, events: SynthEvent[], opts: SynthOptions = {}): Promise<number[]> {
  const db = await CaseDb.open(path, { create: true });
  try {
    await db.run(`INSERT INTO ingest_runs (run_id, started_at, dwell_version, tz, status) VALUES (1, now(), 'test', 'UTC', 'completed')`);
    const fileNos = [...new Set(events.map((e) => e.file ?? 1))].sort((a, b) => a - b);
    for (const f of fileNos) {
      const info = opts.files?.[f];
      const evs = events.filter((e) => (e.file ?? 1) === f);
      await db.run(
        `INSERT INTO evidence (evidence_id, run_id, path, abs_path, sha256, compression, format, status, events, first_ts, last_ts, ingested_at)
         VALUES ($id, 1, $path, $abs, $sha, $comp, $fmt, 'ingested', $n, $lo::TIMESTAMP, $hi::TIMESTAMP, now())`,
        {
          id: f,
          path: info?.path ?? `evidence/file-${f}.log`,
          abs: info?.path ?? `/nonexistent/file-${f}.log`,
          sha: info?.sha256 ?? '0'.repeat(64),
          comp: info?.compression ?? 'none',
          fmt: evs[0]?.source ?? 'auth_log',
          n: evs.length,
          lo: evs.map((e) => e.ts).sort()[0]!,
          hi: evs.map((e) => e.ts).sort().at(-1)!,
        },
      );
    }
    const ids: number[] = [];
    const perFile = new Map<number, number>();
    let offset = 0;
    for (const e of events) {
      const f = e.file ?? 1;
      const n = (perFile.get(f) ?? 0) + 1;
      perFile.set(f, n);
      const id = f * 2 ** 32 + n;
      ids.push(id);
      const raw = e.raw ?? e.summary ?? `line ${n}`;
      await db.run(
        `INSERT INTO events (event_id, ts, time_quality, source, class, action, outcome, host, actor, src_ip, dst_ip, session, access_key, target, summary, attrs, evidence_id, line, byte_offset, byte_length, raw)
         VALUES ($id::BIGINT, $ts::TIMESTAMP, $tq, $source, 'authentication', $action, $outcome, $host, $actor, $src, $dst, $session, $key, $target, $summary, $attrs, $f, $line, $off, $len, $raw)`,
        {
          id: BigInt(id),
          ts: e.ts,
          tq: e.time_quality ?? 'exact',
          source: e.source ?? 'auth_log',
          action: e.action ?? 'other',
          outcome: e.outcome ?? 'unknown',
          host: e.host ?? 'web-01',
          actor: e.actor ?? null,
          src: e.src_ip ?? null,
          dst: e.dst_ip ?? null,
          session: e.session ?? null,
          key: e.access_key ?? null,
          target: e.target ?? null,
          summary: e.summary ?? `event ${ids.length}`,
          attrs: JSON.stringify(e.attrs ?? {}),
          f,
          line: n,
          off: offset,
          len: Buffer.byteLength(raw) ,
          raw,
        },
      );
      offset += Buffer.byteLength(raw) + 1;
    }
    if (opts.attack) {
      await db.run(`INSERT INTO findings VALUES (1, now(), 'test', '{}', $body)`, {
        body: JSON.stringify({ schema: 'dwell.findings/v1', answers: opts.answers ?? {} }),
      });
      for (const a of opts.attack) {
        await db.run(`INSERT INTO attack_events VALUES (1, $id::BIGINT, $ts::TIMESTAMP, $phase, $tech, 'test')`, {
          id: BigInt(ids[a.event]!),
          ts: events[a.event]!.ts,
          phase: a.phase,
          tech: a.technique ?? null,
        });
      }
    }
    if (opts.index) await buildTimelineIndex(db);
    return ids;
  } finally {
    db.close();
  }
}

/** n events one second apart from 2026-01-02 00:00:00, cycling hosts and addresses. */
export function manyEvents(n: number, start = Date.UTC(2026, 0, 2)): SynthEvent[] {
  const hosts = ['web-01', 'db-01', 'bastion-01'];
  return Array.from({ length: n }, (_, i) => {
    const ts = new Date(start + i * 1000).toISOString().replace('T', ' ').replace('Z', '');
    return {
      ts,
      host: hosts[i % 3],
      actor: `user${i % 5}`,
      action: i % 2 ? 'ssh_login_failed' : 'ssh_connection',
      src_ip: `198.51.100.${i % 7}`,
      summary: `event number ${i}`,
      file: (i % 2) + 1,
    };
  });
}
