/**
 * Re-running ingest changes nothing, and the same evidence gives the same case: time inference is
 * decided once per file (a re-run never moves stored times), the summary prints what is stored,
 * and which copy of duplicated evidence is kept does not depend on which parse lane was faster.
 */
import { copyFileSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query } from '../helpers/case.js';
import { dwell, ROOT, tempDir } from '../helpers/cli.js';

/** An ordered digest of every column of every row. */
async function tableDigest(casePath: string, table: 'events' | 'evidence'): Promise<{ n: number; h: string }> {
  const key = table === 'events' ? 'event_id' : 'evidence_id';
  const [r] = await query<{ n: number; h: string }>(casePath, `SELECT count(*)::INTEGER AS n, md5(string_agg(t::VARCHAR, chr(10) ORDER BY ${key})) AS h FROM ${table} t`);
  return r!;
}

const at = (iso: string) => new Date(iso);

/**
 * Year-less syslog whose years come from mtimes: a rotated pair that needs one year back, a pair
 * whose mtimes are six years apart (beyond what a lost mtime explains), and two compressed copies
 * of one live log with different contents (same rotation generation: never ordered against each
 * other).
 */
function writeYearlessEvidence(dir: string): void {
  const line = (stamp: string, n: number) => `${stamp} h sshd[${n}]: Server listening on :: port 22.\n`;
  const put = (name: string, body: string | Buffer, mtime: string) => {
    writeFileSync(join(dir, name), body);
    utimesSync(join(dir, name), at(mtime), at(mtime));
  };
  put('messages', line('Jan  1 00:00:01', 1), '2026-12-31T23:30:00Z');
  put('messages.1', line('Dec 31 23:00:00', 2), '2026-12-31T23:30:00Z');
  put('auth.log', line('Jan  1 00:00:01', 3), '2019-01-02T00:00:00Z');
  put('auth.log.1', line('Dec 31 23:00:00', 4), '2026-12-31T23:30:00Z');
  put('syslog', line('Dec 31 23:00:00', 5), '2026-12-31T23:30:00Z');
  put('syslog.gz', gzipSync(line('Jan  1 00:00:01', 6)), '2027-01-02T00:00:00Z');
}

describe('re-running ingest over unchanged evidence', () => {
  const tmp = tempDir();
  const ev = join(tmp.path, 'evidence');
  const casePath = join(tmp.path, 'case.duckdb');
  let first: Awaited<ReturnType<typeof dwell>>;
  let second: Awaited<ReturnType<typeof dwell>>;
  let before: { events: { n: number; h: string }; evidence: { n: number; h: string } };

  beforeAll(async () => {
    mkdirSync(ev);
    writeYearlessEvidence(ev);
    first = await dwell(['ingest', '--json', '--case', casePath, ev]);
    before = { events: await tableDigest(casePath, 'events'), evidence: await tableDigest(casePath, 'evidence') };
    second = await dwell(['ingest', '--case', casePath, ev]);
  }, 120_000);
  afterAll(() => tmp.cleanup());

  it('changes no stored value: events and evidence are byte-identical after the second run', async () => {
    expect(first.code).toBe(0);
    expect(second.code).toBe(0);
    expect(before.events.n).toBe(6);
    expect(await tableDigest(casePath, 'events')).toEqual(before.events);
    expect(await tableDigest(casePath, 'evidence')).toEqual(before.evidence);
    expect(second.stderr).not.toMatch(/moved back/);
  });

  it('moves an older rotated file back once, and says why it leaves a six-year gap alone', async () => {
    const rows = await query<{ name: string; ts: string }>(
      casePath,
      `SELECT regexp_extract(v.path, '[^/]+$') AS name, strftime(e.ts, '%Y-%m-%d %H:%M') AS ts FROM events e JOIN evidence v USING (evidence_id) ORDER BY name`,
    );
    expect(Object.fromEntries(rows.map((r) => [r.name, r.ts]))).toEqual({
      'auth.log': '2019-01-01 00:00',
      'auth.log.1': '2026-12-31 23:00',
      messages: '2026-01-01 00:00',
      'messages.1': '2025-12-31 23:00',
      syslog: '2026-12-31 23:00',
      'syslog.gz': '2027-01-01 00:00',
    });
  });

  it('prints in its summary the times the case holds', async () => {
    const report = JSON.parse(first.stdout) as { files: { evidenceId: number; firstTsUs: number | null; lastTsUs: number | null }[] };
    const stored = await query<{ id: number; first_us: number; last_us: number }>(casePath, 'SELECT evidence_id AS id, epoch_us(first_ts) AS first_us, epoch_us(last_ts) AS last_us FROM evidence');
    const byId = new Map(stored.map((s) => [s.id, s]));
    expect(report.files.length).toBe(6);
    for (const f of report.files) expect([f.firstTsUs, f.lastTsUs]).toEqual([byId.get(f.evidenceId)!.first_us, byId.get(f.evidenceId)!.last_us]);
  });

  it('gives the same events, ids included, in a new case', async () => {
    const other = join(tmp.path, 'other.duckdb');
    expect((await dwell(['ingest', '-q', '--case', other, ev])).code).toBe(0);
    expect(await tableDigest(other, 'events')).toEqual(before.events);
  });
});

describe('three copies of one file parsed on two lanes', () => {
  const tmp = tempDir();
  const ev = join(tmp.path, 'evidence');
  afterAll(() => tmp.cleanup());

  it('keeps the first copy in file order and records the others as its duplicates, every time (20 runs)', { timeout: 300_000 }, async () => {
    mkdirSync(ev);
    for (const name of ['a.log', 'b.log', 'c.log']) copyFileSync(join(ROOT, 'fixtures', 'auth', 'web-01', 'auth.log.1'), join(ev, name));
    // The built pipeline, as the CLI runs it: parse lanes are worker threads, which need the .js build.
    const { ingest } = (await import(join(ROOT, 'dist', 'ingest', 'pipeline.js'))) as typeof import('../../src/ingest/pipeline.js');
    const outcomes = new Set<string>();
    for (let run = 0; run < 20; run++) {
      const casePath = join(tmp.path, `run-${run}.duckdb`);
      await ingest({ casePath, inputs: [ev], tz: 'UTC', workers: 2, index: false });
      const rows = await query<{ id: number; name: string; status: string; dup: number | null; n: number }>(
        casePath,
        `SELECT v.evidence_id AS id, regexp_extract(v.path, '[^/]+$') AS name, v.status, v.duplicate_of AS dup,
                (SELECT count(*) FROM events e WHERE e.evidence_id = v.evidence_id)::INTEGER AS n
         FROM evidence v ORDER BY v.evidence_id`,
      );
      outcomes.add(JSON.stringify(rows));
    }
    expect([...outcomes].map((o) => JSON.parse(o))).toEqual([
      [
        { id: 1, name: 'a.log', status: 'ingested', dup: null, n: 16 },
        { id: 2, name: 'b.log', status: 'duplicate', dup: 1, n: 0 },
        { id: 3, name: 'c.log', status: 'duplicate', dup: 1, n: 0 },
      ],
    ]);
  });
});
