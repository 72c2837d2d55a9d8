import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbSource } from '../../../src/tui/data/duckdb-source.js';
import type { TimelineRow } from '../../../src/tui/data/types.js';
import { EMPTY_QUERY, parseFilters, type ViewQuery } from '../../../src/tui/state/filters.js';
import { query } from '../../helpers/case.js';
import { tempDir } from '../../helpers/cli.js';
import { createSyntheticCase, manyEvents, type SynthEvent } from '../helpers/synthetic-case.js';

const q = (text: string, attack = false): ViewQuery => {
  const p = parseFilters(text, 0);
  if (!p.ok) throw new Error(p.error);
  return { attack, filters: p.filters };
};

async function walkForward(src: DuckDbSource, view: ViewQuery, pageSize: number): Promise<TimelineRow[]> {
  const out: TimelineRow[] = [];
  let page = await src.page(view, { kind: 'start' }, pageSize);
  out.push(...page.rows);
  while (!page.atEnd) {
    page = await src.page(view, { kind: 'after', key: out[out.length - 1]! }, pageSize);
    out.push(...page.rows);
  }
  return out;
}

for (const index of [false, true]) {
  describe(`DuckDbSource ${index ? 'with' : 'without'} the timeline index`, () => {
    const tmp = tempDir('dwell-tui-src-');
    const casePath = join(tmp.path, 'case.duckdb');
    const events: SynthEvent[] = [
      ...manyEvents(60),
      // Same second as event 10: ties are broken by event_id.
      { ts: '2026-01-02 00:00:10', host: 'web-01', actor: 'deploy', src_ip: '203.0.113.77', action: 'ssh_login', summary: 'Accepted password for deploy', file: 3 },
      { ts: '2026-01-02 00:00:30', host: 'db-01', actor: 'root', dst_ip: '203.0.113.77', action: 'ssh_connection', summary: 'outbound to attacker', file: 3 },
      { ts: '2026-01-02 00:00:40', host: 'web-01', actor: 'alice', target: 'deploy', action: 'su', summary: 'su to deploy', session: 'sshd[42]', file: 3 },
      { ts: '2026-01-02 00:00:50', host: 'web-01', actor: 'x\x1b]0;pwned\x07y', action: 'other', summary: 'evil \x1b[2J text', raw: 'raw \x1b[31m red', file: 3 },
    ];
    let ids: number[];
    let src: DuckDbSource;
    beforeAll(async () => {
      ids = await createSyntheticCase(casePath, events, {
        index,
        attack: [
          { event: 60, phase: 'access', technique: 'T1110' },
          { event: 62, phase: 'actions' },
        ],
        answers: { initial_access_at: '2026-01-02T00:00:10Z', dwell_time_seconds: 3600 },
      });
      src = await DuckDbSource.open(casePath);
    });
    afterAll(() => {
      src?.close();
      tmp.cleanup();
    });

    it('says which table it pages and what the case holds', () => {
      expect(src.info.index.table).toBe(index ? 'timeline' : 'events');
      expect(src.info.events).toBe(64);
      expect(src.info.findings?.attackEvents).toBe(2);
      expect(src.info.findings?.answers.dwellTimeSeconds).toBe(3600);
    });

    it('pages forward and back through every event in (ts, event_id) order', async () => {
      const fwd = await walkForward(src, EMPTY_QUERY, 7);
      expect(fwd).toHaveLength(64);
      for (let i = 1; i < fwd.length; i++) expect(fwd[i]!.tsUs * 1e10 + fwd[i]!.eventId > fwd[i - 1]!.tsUs * 1e10 + fwd[i - 1]!.eventId || fwd[i]!.tsUs > fwd[i - 1]!.tsUs).toBe(true);
      const tie = fwd.filter((r) => r.tsUs === Date.UTC(2026, 0, 2, 0, 0, 10) * 1000);
      expect(tie.map((r) => r.eventId)).toEqual([...tie.map((r) => r.eventId)].sort((a, b) => a - b));
      const back: TimelineRow[] = [];
      let page = await src.page(EMPTY_QUERY, { kind: 'end' }, 7);
      back.unshift(...page.rows);
      while (!page.atStart) {
        page = await src.page(EMPTY_QUERY, { kind: 'before', key: back[0]! }, 7);
        back.unshift(...page.rows);
      }
      expect(back.map((r) => r.eventId)).toEqual(fwd.map((r) => r.eventId));
    });

    it('fetches rows around a time and selects the first row at or after it', async () => {
      const r = await src.around(EMPTY_QUERY, { tsUs: Date.UTC(2026, 0, 2, 0, 0, 20) * 1000, eventId: 0 }, 3, 5);
      expect(r.rows).toHaveLength(8);
      expect(r.rows[r.cursor!]!.text.summary).toBe('event number 20');
    });

    it('filters by host, address (source or destination), user (actor or target), negation and globs', async () => {
      expect((await walkForward(src, q('host=db-01'), 50)).every((r) => r.values.host === 'db-01')).toBe(true);
      const ip = await walkForward(src, q('ip=203.0.113.77'), 50);
      expect(ip.map((r) => r.text.summary)).toEqual(['Accepted password for deploy', 'outbound to attacker']);
      expect((await walkForward(src, q('user=deploy'), 50)).map((r) => r.text.summary)).toEqual(['Accepted password for deploy', 'su to deploy']);
      expect((await src.count(q('action=ssh_*')))).toBe(62);
      expect((await src.count(q('host!=web-01')))).toBe(41);
      expect(await src.count(q('ip=198.51.100.1,198.51.100.2'))).toBe(18);
      expect(await src.count(q('session=sshd[42]@web-01'))).toBe(1);
      expect(await src.count(q('from=2026-01-02T00:00:10Z to=2026-01-02T00:00:19Z'))).toBe(11);
    });

    it('treats filter values as data: quotes, LIKE wildcards and SQL text match literally', async () => {
      expect(await src.count(q(`actor="x'); DROP TABLE events; --"`))).toBe(0);
      expect(await src.count(q('actor=user_'))).toBe(0);
      expect(await src.count(EMPTY_QUERY)).toBe(64);
    });

    it('shows the attack view and phase filters from the newest findings', async () => {
      const attack = await walkForward(src, { attack: true, filters: [] }, 10);
      expect(attack.map((r) => [r.eventId, r.phase])).toEqual([
        [ids[60], 'access'],
        [ids[62], 'actions'],
      ]);
      expect(await src.count(q('phase=actions'))).toBe(1);
      expect(await src.count(q('phase!=access'))).toBe(63);
    });

    it('finds the next and previous match of a text search, case-insensitively', async () => {
      const start = { tsUs: 0, eventId: 0 };
      const hit = await src.find(EMPTY_QUERY, 'ACCEPTED', start, 1);
      expect(hit?.eventId).toBe(ids[60]);
      expect(await src.find(EMPTY_QUERY, 'accepted', hit!, 1)).toBeNull();
      const prev = await src.find(EMPTY_QUERY, 'event number 5', { tsUs: Date.UTC(2026, 0, 2, 0, 1) * 1000, eventId: 0 }, -1);
      expect(prev?.eventId).toBe(ids[59]);
      expect(await src.find(EMPTY_QUERY, '100%', start, 1)).toBeNull();
      // Only in the raw line (not in any shown column), and after a shown match of another word.
      expect((await src.find(EMPTY_QUERY, '31m red', start, 1))?.eventId).toBe(ids[63]);
      expect((await src.find(EMPTY_QUERY, 'event number 1', start, 1))?.eventId).toBe(ids[1]);
    });

    it('escapes terminal control sequences from evidence before anything renders them', async () => {
      const rows = await walkForward(src, q('action=other'), 10);
      expect(rows[0]!.text.actor).toBe('x\\x1b]0;pwned\\x07y');
      expect(rows[0]!.text.summary).toBe('evil \\x1b[2J text');
      expect(rows[0]!.values.actor).toBe('x\x1b]0;pwned\x07y');
    });

    it('counts events per time bucket and colours buckets by attack phase', async () => {
      const from = Date.UTC(2026, 0, 2) * 1000;
      const d = await src.density(EMPTY_QUERY, from, from + 60_000_000 - 1, 6);
      expect(d.buckets.map((b) => b.count)).toEqual([10, 11, 10, 11, 11, 11]);
      expect(d.buckets[1]!.phase).toBe('access');
      expect(d.buckets[4]!.phase).toBe('actions');
      expect(d.buckets[0]!.phase).toBeNull();
    });

    it('loads one event in full: fields, attrs, raw and provenance', async () => {
      const d = await src.detail(ids[63]!);
      expect(d!.raw).toBe('raw \x1b[31m red');
      expect(d!.fields.find(([k]) => k === 'host')).toEqual(['host', 'web-01']);
      expect(d!.evidence?.path).toBe('evidence/file-3.log');
      expect(d!.line).toBe(4);
      expect((await src.detail(ids[60]!))!.attack).toEqual({ phase: 'access', technique: 'T1110', reason: 'test' });
    });

    it('exports the filtered view with provenance and phase, as CSV and JSON lines', async () => {
      const csv = join(tmp.path, 'out.csv');
      expect(await src.exportView(q('ip=203.0.113.77'), csv, 'csv')).toBe(2);
      const lines = readFileSync(csv, 'utf8').trim().split('\r\n');
      expect(lines).toHaveLength(3);
      expect(lines[0]).toMatch(/event_id.*raw.*evidence_path,evidence_sha256,attack_phase/);
      expect(lines[1]).toMatch(/access$/);
      const jsonl = join(tmp.path, "it's.jsonl");
      await src.exportView({ attack: true, filters: [] }, jsonl, 'jsonl');
      const objs = readFileSync(jsonl, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { attack_phase: string; evidence_path: string });
      expect(objs.map((o) => o.attack_phase)).toEqual(['access', 'actions']);
    });

    it('writes annotations (its only write) and goes back to read-only', async () => {
      const a = await src.annotate(ids[60]!, 'mark', null, 'alice');
      expect([a.state, a.annotation.kind, a.waiting]).toEqual(['saved', 'mark', 0]);
      await src.annotate(ids[60]!, 'note', 'first login of the attacker', 'alice');
      expect((await src.detail(ids[60]!))!.annotations.map((x) => [x.kind, x.text, x.author])).toEqual([
        ['mark', null, 'alice'],
        ['note', 'first login of the attacker', 'alice'],
      ]);
      const page = await src.page(q('marked'), { kind: 'start' }, 10);
      expect(page.rows.map((r) => [r.eventId, r.mark])).toEqual([[ids[60], 'note']]);
      // Still read-only: a second reader can open the case alongside.
      const rows = await query<{ n: number }>(casePath, 'SELECT count(*)::INTEGER AS n FROM annotations');
      expect(rows[0]!.n).toBe(2);
      // Nothing left waiting next to the case.
      expect(existsSync(`${casePath}.annotations-pending.jsonl`)).toBe(false);
    });
  });
}
