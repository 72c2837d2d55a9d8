/**
 * `dwell tui` ends when told to from outside, even while a query runs: a SIGTERM restores the
 * terminal and exits 143 as a killed program does; a closed terminal (the tmux server killed, the
 * window closed, an SSH link lost) ends it within seconds instead of leaving an orphan holding the
 * case. The query is the SQL prompt's (one that runs for minutes unless interrupted); the hang of
 * the case's own queries is test/tui/data/case-handle-close.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { HAS_TMUX, startTuiInTmux, type TmuxTui } from '../helpers/tmux-tui.js';

const SLOW_SQL = 'SELECT sum(hash(i)) AS s FROM range(100000000000) t(i)';

/** The pid of `dwell tui` in the pane: the pane's shell runs it as its child. */
function tuiPid(tui: TmuxTui): number {
  const shell = tui.tmux('list-panes', '-t', 'tui', '-F', '#{pane_pid}').trim();
  const pid = Number(execFileSync('ps', ['-o', 'pid=', '--ppid', shell], { encoding: 'utf8' }).trim().split('\n')[0]);
  expect(pid).toBeGreaterThan(0);
  return pid;
}

/** Running, not a zombie left for its (re)parent to reap: a zombie has ended. */
function running(pid: number): boolean {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return false;
  try {
    return readFileSync(stat, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

async function startSlowQuery(tui: TmuxTui): Promise<void> {
  await tui.waitScreen((x) => x.includes('[ALL EVENTS]') && /row 1 of 6/.test(x), 'the first page');
  tui.keys(':');
  await tui.waitScreen((x) => x.includes('sql>'), 'the SQL prompt');
  tui.text(SLOW_SQL);
  tui.keys('Enter');
  await tui.waitScreen((x) => x.includes('running… (Esc cancels)'), 'the query running');
}

describe.skipIf(!HAS_TMUX)('dwell tui told to stop from outside', () => {
  let tmp: ReturnType<typeof tempDir> | undefined;
  let tui: TmuxTui | undefined;
  afterEach(() => {
    tui?.stop();
    tmp?.cleanup();
  });

  it('SIGTERM during a query: the terminal is restored and the exit status is 143', async () => {
    tmp = tempDir('dwell-tui-term-');
    tui = await startTuiInTmux({ socket: `dwell-tui-term-${process.pid}`, dir: tmp.path, waitMs: 30_000 });
    await startSlowQuery(tui);
    process.kill(tuiPid(tui), 'SIGTERM');
    const s = await tui.waitScreen((x) => x.includes('DWELL-EXIT='), 'the shell after SIGTERM', 10_000);
    expect(s).toContain('DWELL-EXIT=143');
    expect(s).not.toContain('TIME (UTC)');
    expect(tui.tmux('display', '-p', '-t', 'tui', '#{alternate_on}').trim()).toBe('0');
  }, 60_000);

  it('the terminal closed during a query: the process ends within seconds', async () => {
    tmp = tempDir('dwell-tui-hup-');
    tui = await startTuiInTmux({ socket: `dwell-tui-hup-${process.pid}`, dir: tmp.path, waitMs: 30_000 });
    await startSlowQuery(tui);
    const pid = tuiPid(tui);
    tui.stop();
    tui = undefined;
    // The bound is the TUI's own (EXIT_WITHIN_MS, 5 s) plus a margin for a loaded machine.
    const deadline = Date.now() + 10_000;
    while (running(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(running(pid), `dwell tui (pid ${pid}) still runs 10 s after its terminal closed`).toBe(false);
  }, 60_000);
});
