#!/usr/bin/env node
/**
 * How long `dwell correlate` and `dwell tui` take to end once told to, on a large case:
 *  - correlate: started on CASE (a copy: it writes), sent SIGINT/SIGTERM --after-ms into the run;
 *    prints the exit status, the time from the signal to the exit, and whether the case still
 *    holds what it held before (findings, detections, hunts counted) — nothing of the run kept;
 *  - tui: `dwell tui` on CASE (opened read-only) in a private tmux server, a search for a string
 *    no event holds started (seconds on 10M events), the tmux server killed --after-ms later (the
 *    terminal gone: SIGHUP); prints the time until the process has ended (a zombie counts as
 *    ended), or HANG after --hang-ms.
 *
 *   node bench/stop-latency.mjs correlate --case /work/bench-cases/robust.duckdb --signal SIGINT --after-ms 8000 [--bin bin/dwell.js]
 *   node bench/stop-latency.mjs tui --case /work/bench-cases/s27/base.duckdb --after-ms 1000 [--bin …] [--hang-ms 20000]
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const [what, ...args] = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i < 0 ? def : args[i + 1];
};
const casePath = resolve(opt('case', ''));
const bin = resolve(opt('bin', join(ROOT, 'bin', 'dwell.js')));
const afterMs = Number(opt('after-ms', 5000));
const hangMs = Number(opt('hang-ms', 20_000));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function counts() {
  const db = await DuckDBInstance.create(casePath, { access_mode: 'READ_ONLY' });
  const c = await db.connect();
  const r = await c.runAndReadAll(`SELECT (SELECT count(*) FROM findings)::INTEGER AS findings, (SELECT count(*) FROM detections)::INTEGER AS detections, (SELECT count(*) FROM hunts)::INTEGER AS hunts`);
  const row = r.getRowObjectsJS()[0];
  c.closeSync();
  db.closeSync();
  return row;
}

/** Running and not a zombie. */
function running(pid) {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return false;
  try {
    return readFileSync(stat, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

async function correlate() {
  const sig = opt('signal', 'SIGINT');
  const before = await counts();
  const t0 = Date.now();
  const child = spawn(process.execPath, [bin, 'correlate', '--case', casePath, '--json'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  let sentAt = 0;
  const timer = setTimeout(() => {
    sentAt = Date.now();
    child.kill(sig);
  }, afterMs);
  const { code, signal } = await new Promise((r) => child.on('close', (code, signal) => r({ code, signal })));
  clearTimeout(timer);
  const end = Date.now();
  const after = await counts();
  const usage = `${sentAt ? `signal at ${sentAt - t0} ms, exit ${end - sentAt} ms after it` : `ended before the signal (${end - t0} ms)`}`;
  console.log(JSON.stringify({ what: 'correlate', sig, code, signal, usage, before, after, unchanged: JSON.stringify(before) === JSON.stringify(after), lastLine: stderr.trim().split('\n').pop() }));
}

async function tui() {
  const socket = `stop-latency-${process.pid}`;
  const tmux = (...a) => execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...a], { encoding: 'utf8' });
  tmux('new-session', '-d', '-s', 'tui', '-x', '160', '-y', '30', `env -u CI NO_COLOR=1 '${process.execPath}' '${bin}' tui --case '${casePath}' --author bench; sleep 600`);
  const shell = tmux('list-panes', '-t', 'tui', '-F', '#{pane_pid}').trim();
  const start = Date.now();
  while (!/row 1 of/.test(tmux('capture-pane', '-p', '-t', 'tui'))) {
    if (Date.now() - start > 120_000) throw new Error('the TUI did not show its first page');
    await sleep(100);
  }
  const pid = Number(execFileSync('ps', ['-o', 'pid=', '--ppid', shell], { encoding: 'utf8' }).trim());
  tmux('send-keys', '-t', 'tui', '/');
  await sleep(300);
  tmux('send-keys', '-t', 'tui', '-l', 'zzqq-no-event-has-this');
  tmux('send-keys', '-t', 'tui', 'Enter');
  await sleep(afterMs);
  const searching = /searching/.test(tmux('capture-pane', '-p', '-t', 'tui'));
  const killedAt = Date.now();
  tmux('kill-server');
  while (running(pid) && Date.now() - killedAt < hangMs) await sleep(20);
  const alive = running(pid);
  if (alive) process.kill(pid, 'SIGKILL');
  console.log(JSON.stringify({ what: 'tui', searchingWhenKilled: searching, result: alive ? `HANG (alive ${hangMs} ms after the terminal closed; killed)` : `gone ${Date.now() - killedAt} ms after the terminal closed` }));
}

if (what === 'correlate') await correlate();
else if (what === 'tui') await tui();
else {
  console.error('usage: node bench/stop-latency.mjs correlate|tui --case CASE [--after-ms N] [--signal SIGINT|SIGTERM] [--bin …]');
  process.exit(2);
}
