import { render } from 'ink-testing-library';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App } from '../../../src/tui/components/App.js';
import { DuckDbSource } from '../../../src/tui/data/duckdb-source.js';
import { query } from '../../helpers/case.js';
import { tempDir } from '../../helpers/cli.js';
import { KEYS, waitForFrame } from '../helpers/ink.js';
import { createSyntheticCase, manyEvents, type SynthEvent } from '../helpers/synthetic-case.js';

const type = async (stdin: { write: (s: string) => void }, ...keys: string[]) => {
  for (const k of keys) {
    stdin.write(k);
    await new Promise((r) => setTimeout(r, 15));
  }
};

describe('App: keys in, frames out, on a real case', () => {
  const tmp = tempDir('dwell-tui-app-');
  const withFindings = join(tmp.path, 'findings.duckdb');
  const without = join(tmp.path, 'plain.duckdb');
  const events: SynthEvent[] = [
    ...manyEvents(120),
    { ts: '2026-01-02 00:00:30.5', host: 'web-01', actor: 'deploy', src_ip: '203.0.113.77', action: 'ssh_login', summary: 'Accepted password for deploy from 203.0.113.77', raw: 'sshd: Accepted \x1b]0;pwned\x07 \x1b[2J', file: 3 },
    { ts: '2026-01-02 00:01:10.5', host: 'db-01', actor: 'postgres', dst_ip: '203.0.113.77', action: 'db_export', summary: 'COPY customers to 203.0.113.77', file: 3 },
  ];
  let ids: number[];
  beforeAll(async () => {
    ids = await createSyntheticCase(withFindings, events, {
      attack: [
        { event: 120, phase: 'access', technique: 'T1110' },
        { event: 121, phase: 'exfiltration' },
      ],
      answers: { initial_access_at: '2026-01-02T00:00:30Z', detected_at: '2026-01-02T01:00:30Z', dwell_time_seconds: 3600, initial_access_vector: 'ssh password' },
    });
    await createSyntheticCase(without, manyEvents(10));
  });
  afterAll(() => tmp.cleanup());

  it('navigates, searches, pivots and comes back, opens the detail escaped, marks, and quits', async () => {
    const source = await DuckDbSource.open(withFindings);
    let quit = false;
    const { lastFrame, stdin, unmount } = render(<App source={source} author="alice" onQuit={() => (quit = true)} />);
    try {
      await waitForFrame(lastFrame, (f) => f.includes('event number 0') && /row 1 of 122/.test(f));
      await type(stdin, 'j', 'j', KEYS.down);
      await waitForFrame(lastFrame, (f) => /row 4 of 122/.test(f));

      await type(stdin, '/', ...'accepted', KEYS.enter);
      let f = await waitForFrame(lastFrame, (x) => /search "accepted" \(n\/N\)/.test(x) && /00:00:30 UTC/.test(x));
      expect(f).toContain('Accepted password for dep');

      await type(stdin, 'p');
      f = await waitForFrame(lastFrame, (x) => x.includes('Pivot: everything involving'));
      expect(f).toMatch(/1 ip\s+203\.0\.113\.77/);
      await type(stdin, '1');
      f = await waitForFrame(lastFrame, (x) => x.includes('[PIVOT]') && x.includes('COPY customers') && /row \d+ of 2\b/.test(x));
      expect(f).toMatch(/filter: ip=203\.0\.113\.77/);
      expect(f).not.toContain('event number');

      await type(stdin, KEYS.escape);
      f = await waitForFrame(lastFrame, (x) => x.includes('[ALL EVENTS]') && x.includes('event number') && /row 32 of 122/.test(x));

      await type(stdin, KEYS.enter);
      f = await waitForFrame(lastFrame, (x) => x.includes('provenance'));
      expect(f).toContain('sshd: Accepted \\x1b]0;pwned\\x07 \\x1b[2J');
      expect(f).not.toMatch(/\x1b\]0;|\x1b\[2J/);
      expect(f).toMatch(/file {5}evidence\/file-3\.log/);
      expect(f).toMatch(/attack: phase access · T1110/);

      await type(stdin, 'm');
      await waitForFrame(lastFrame, (x) => /marked \(alice, /.test(x) && x.includes('● mark  alice'));
      await type(stdin, 'n', ...'first login', KEYS.enter);
      await waitForFrame(lastFrame, (x) => x.includes('✎ note  alice') && x.includes('first login'));
      await type(stdin, 'q');
      f = await waitForFrame(lastFrame, (x) => x.includes('TIME (UTC)'));
      expect(f).toMatch(/✎ 2026-01-02 00:00:30/);

      await type(stdin, 'a');
      f = await waitForFrame(lastFrame, (x) => x.includes('[ATTACK]') && x.includes('COPY customers'));
      expect(f).toMatch(/access 01-02 00:00 ─▶ exfiltration 01-02 00:01 · not seen: recon, actions/);
      expect(f).toContain('dwell time 1h 00m');
      expect(f).not.toContain('event number');

      await type(stdin, 'q');
      for (let i = 0; i < 200 && !quit; i++) await new Promise((r) => setTimeout(r, 10));
      expect(quit).toBe(true);
    } finally {
      unmount();
      source.close();
    }
    const notes = await query<{ event_id: number; kind: string; text: string | null; author: string }>(withFindings, 'SELECT event_id, kind, text, author FROM annotations ORDER BY annotation_id');
    expect(notes).toEqual([
      { event_id: ids[120], kind: 'mark', text: null, author: 'alice' },
      { event_id: ids[120], kind: 'note', text: 'first login', author: 'alice' },
    ]);
  });

  it('filters from the prompt, jumps to a time, and says there are no findings yet', async () => {
    const source = await DuckDbSource.open(without);
    const { lastFrame, stdin, unmount } = render(<App source={source} author="bob" />);
    try {
      await waitForFrame(lastFrame, (f) => /row 1 of 10/.test(f));
      await type(stdin, 'a');
      await waitForFrame(lastFrame, (f) => f.includes('no findings yet'));
      await type(stdin, 'f', ...'host=db-01', KEYS.enter);
      let f = await waitForFrame(lastFrame, (x) => /filter: host=db-01/.test(x) && /of 3\b/.test(x));
      expect(f).not.toMatch(/web-01\s+user/);
      await type(stdin, 'F', 't', ...'00:00:07', KEYS.enter);
      f = await waitForFrame(lastFrame, (x) => /row 8 of 10/.test(x));
      expect(f).toContain('2026-01-02 00:00:07 UTC');
      await type(stdin, 'f', ...'colour=red', KEYS.enter);
      await waitForFrame(lastFrame, (x) => x.includes('unknown filter field "colour"'));
      await type(stdin, KEYS.escape, '?');
      await waitForFrame(lastFrame, (x) => x.includes('dwell tui — keys'));
    } finally {
      unmount();
      source.close();
    }
  });
});
