#!/usr/bin/env node
/**
 * Ctrl-C / SIGTERM stress for `dwell ingest` (a hang was seen once: "Cannot CHECKPOINT: there are
 * other write transactions active", then no exit). Starts a 2-lane ingest on the evidence given,
 * sends a signal at a random moment — after a random delay, a few milliseconds after a file is
 * reported stored (its neighbour is then mid-file or committing), or while the timeline index is
 * built — with DWELL_MEMORY=1 or without, and checks for each run: the exit status (130/143), the
 * time from the signal to the exit, the message, and the case (no event without its evidence row,
 * every stored file whole, the run recorded as interrupted). Every --rerun-every'th run the same
 * command is run again and its events compared with a clean run's.
 *
 *   node bench/ctrlc-stress.mjs --runs 30 --cases /work/bench-cases EVIDENCE…
 *   options: --runs N  --cases DIR  --prefix ctrlc (case names)  --hang-ms 40000  --rerun-every 5  --seed N
 *            --clean-case CASE --clean-ms MS (a clean run's case made before, kept; its duration)
 *            --bin bin/dwell.js (e.g. an older build's copy, to compare)
 *
 * A run still alive --hang-ms after the signal is reported HANG; before it is killed, Node writes a
 * diagnostic report (its JS stack and open handles) into the cases folder (--report-on-signal).
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { rng } from './lib/rng.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return def;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const runs = Number(opt('runs', 20));
const casesDir = resolve(opt('cases', '/work/bench-cases'));
const hangMs = Number(opt('hang-ms', 40_000));
const rerunEvery = Number(opt('rerun-every', 5));
const seed = Number(opt('seed', Date.now() % 100000));
const bin = resolve(opt('bin', join(ROOT, 'bin', 'dwell.js')));
const prefix = opt('prefix', 'ctrlc');
const cleanCase = opt('clean-case', null);
const cleanMs = Number(opt('clean-ms', 0));
const evidence = args;
if (evidence.length === 0) {
  console.error('usage: node bench/ctrlc-stress.mjs [--runs N] [--cases DIR] EVIDENCE…');
  process.exit(2);
}
const random = rng(seed);
const pick = (xs) => xs[Math.floor(random() * xs.length)];

function ingest(casePath, env, trigger) {
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, ['--report-on-signal', '--report-signal=SIGUSR2', `--report-directory=${casesDir}`, bin, 'ingest', '--case', casePath, ...evidence], {
      env: { ...process.env, NO_COLOR: '1', DWELL_TIMING: '1', ...env },
    });
    const t0 = Date.now();
    let stderr = '';
    let sentAt = 0;
    let hung = false;
    let filesDone = 0;
    const send = () => {
      if (sentAt || !trigger) return;
      sentAt = Date.now();
      for (const [i, s] of trigger.signals.entries()) setTimeout(() => child.exitCode === null && child.kill(s), i * 300);
      setTimeout(() => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        hung = true;
        child.kill('SIGUSR2');
        setTimeout(() => child.kill('SIGKILL'), 3000);
      }, hangMs);
    };
    child.stdout.resume();
    child.stderr.on('data', (d) => {
      const text = String(d);
      stderr += text;
      if (!trigger || sentAt) return;
      filesDone += (text.match(/^\[\d+\/\d+\] /gm) ?? []).length;
      if (trigger.kind === 'after-file' && filesDone >= trigger.file) setTimeout(send, trigger.ms);
      if (trigger.kind === 'index' && /building the timeline index/.test(text)) setTimeout(send, trigger.ms);
    });
    if (trigger?.kind === 'delay') setTimeout(send, trigger.ms);
    child.on('close', (code, signal) => resolveRun({ code, signal, stderr, hung, sent: Boolean(sentAt), exitMs: sentAt ? Date.now() - sentAt : null, totalMs: Date.now() - t0 }));
  });
}

async function withCase(path, fn) {
  const inst = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
  const conn = await inst.connect();
  try {
    return await fn(async (sql) => (await conn.runAndReadAll(sql)).getRowObjectsJson());
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
}

/** What must hold after any interruption: only whole files, nothing without its evidence row. */
async function checkCase(path) {
  return withCase(path, async (q) => {
    const problems = [];
    const orphans = await q(`SELECT evidence_id, count(*)::INTEGER AS n FROM events WHERE evidence_id NOT IN (SELECT evidence_id FROM evidence) GROUP BY ALL`);
    if (orphans.length) problems.push(`events without an evidence row: ${JSON.stringify(orphans)}`);
    const short = await q(`SELECT v.evidence_id, v.events::INTEGER AS expected, (SELECT count(*) FROM events e WHERE e.evidence_id = v.evidence_id)::INTEGER AS stored
      FROM evidence v WHERE v.status <> 'duplicate' AND v.events <> (SELECT count(*) FROM events e WHERE e.evidence_id = v.evidence_id)`);
    if (short.length) problems.push(`files not whole: ${JSON.stringify(short.slice(0, 3))}`);
    const warn = await q(`SELECT evidence_id, count(*)::INTEGER AS n FROM parse_warnings WHERE evidence_id NOT IN (SELECT evidence_id FROM evidence) GROUP BY ALL`);
    if (warn.length) problems.push(`warnings without an evidence row: ${JSON.stringify(warn)}`);
    const runRows = await q(`SELECT status FROM ingest_runs ORDER BY run_id`);
    const files = (await q(`SELECT count(*)::INTEGER AS n FROM evidence`))[0].n;
    return { problems, runs: runRows.map((r) => r.status), files };
  });
}

async function fingerprint(path) {
  return withCase(path, (q) =>
    q(`SELECT v.path, count(*)::INTEGER AS n, sum(hash(e.event_id, e.line, e.ts, e.action, e.actor, e.src_ip, e.raw))::VARCHAR AS h
       FROM events e JOIN evidence v USING (evidence_id) GROUP BY v.path ORDER BY v.path`),
  ).then((rows) => JSON.stringify(rows));
}

const removeCase = (p) => {
  for (const suffix of ['', '.wal', '.staging']) rmSync(p + suffix, { recursive: true, force: true });
};

console.log(`ctrlc-stress: seed ${seed}, ${runs} runs, evidence ${evidence.join(' ')}`);
// --clean-case/--clean-ms: a clean run's case made earlier (kept), and how long that run took.
const cleanPath = cleanCase ? resolve(cleanCase) : join(casesDir, `${prefix}-clean.duckdb`);
let clean = { totalMs: cleanMs, stderr: '', code: 0 };
if (!cleanCase) {
  removeCase(cleanPath);
  clean = await ingest(cleanPath, {}, null);
  if (clean.code !== 0 && clean.code !== 3) console.log(`clean run exited ${clean.code}:\n${clean.stderr.slice(-2000)}`);
}
const cleanPrint = await fingerprint(cleanPath);
const fileCount = cleanCase ? await withCase(cleanPath, async (q) => (await q('SELECT count(*)::INTEGER AS n FROM evidence'))[0].n) : (clean.stderr.match(/^\[\d+\/\d+\] /gm) ?? []).length;
console.log(`clean run: ${(clean.totalMs / 1000).toFixed(1)} s, exit ${clean.code}, ${fileCount} files`);

const tally = { runs: 0, hang: 0, badExit: 0, slowExit: 0, badCase: 0, badMessage: 0, rerunDiffers: 0, finishedFirst: 0 };
for (let i = 1; i <= runs; i++) {
  const casePath = join(casesDir, `${prefix}-${i}.duckdb`);
  removeCase(casePath);
  const memory = random() < 0.5;
  const signals = pick([['SIGINT'], ['SIGINT'], ['SIGTERM'], ['SIGINT', 'SIGINT']]);
  const kind = pick(['delay', 'delay', 'after-file', 'after-file', 'index']);
  const trigger =
    kind === 'delay' ? { kind, signals, ms: Math.round(300 + random() * clean.totalMs * 0.9) }
    : kind === 'after-file' ? { kind, signals, file: 1 + Math.floor(random() * Math.max(1, fileCount - 1)), ms: Math.floor(random() * 40) }
    : { kind, signals, ms: Math.floor(random() * 1500) };
  const r = await ingest(casePath, memory ? { DWELL_MEMORY: '1' } : {}, trigger);
  tally.runs++;
  const what = `${kind}${trigger.file ? ` file ${trigger.file}` : ''} +${trigger.ms} ms ${signals.join('+')}${memory ? ' DWELL_MEMORY=1' : ''}`;
  const notes = [];
  const expected = signals[0] === 'SIGTERM' ? 143 : 130;
  // What the shell reports: a process ended by the signal itself (a forced stop) is 128 + its number.
  const status = r.code ?? (r.signal === 'SIGINT' ? 130 : r.signal === 'SIGTERM' ? 143 : r.signal);
  const finishedFirst = r.exitMs !== null && r.exitMs < 0;
  if (r.hung) {
    tally.hang++;
    notes.push('HANG');
  }
  if (!r.sent || (r.code === 0 && r.exitMs !== null && !/interrupted/i.test(r.stderr))) {
    tally.finishedFirst++;
    notes.push('finished before the signal');
  } else if (!r.hung) {
    if (status !== expected) {
      tally.badExit++;
      notes.push(`exit ${status}`);
    }
    if (r.exitMs > 5000) {
      tally.slowExit++;
      notes.push(`slow exit ${r.exitMs} ms (${r.stderr.split('\n').filter((l) => /^timing: stop|still stopping/.test(l)).join('; ') || 'no stop timing'})`);
    }
    if (/still stopping after/.test(r.stderr)) notes.push('forced after the bound');
    if (signals.length === 1 && !/interrupted by (Ctrl-C|SIGTERM)/.test(r.stderr) && !/Ctrl-C again|again: stopped/.test(r.stderr)) {
      tally.badMessage++;
      notes.push('no interruption message');
    }
  }
  const oddLines = r.stderr.split('\n').filter((l) => /Cannot CHECKPOINT|^error: (?!interrupted by)/.test(l));
  if (oddLines.length) notes.push(`stderr: ${oddLines.slice(0, 2).join(' | ')}`);
  const check = await checkCase(casePath).catch((e) => ({ problems: [`cannot open the case: ${e.message.split('\n')[0]}`], runs: [], files: 0 }));
  if (check.problems.length) {
    tally.badCase++;
    notes.push(...check.problems);
  }
  if (rerunEvery > 0 && i % rerunEvery === 0 && !r.hung) {
    const again = await ingest(casePath, {}, null);
    const same = (await fingerprint(casePath)) === cleanPrint;
    if (!same) {
      tally.rerunDiffers++;
      notes.push(`re-run differs from the clean run (exit ${again.code})`);
    } else notes.push('re-run = clean');
  }
  console.log(`#${i} ${what}: exit ${status} ${r.exitMs ?? '-'} ms after the signal, ${check.files} evidence rows, runs ${check.runs.join(',')}${notes.length ? ' — ' + notes.join('; ') : ''}`);
  if (r.hung) console.log(r.stderr.split('\n').slice(-15).join('\n'));
  if (!r.hung && check.problems.length === 0) removeCase(casePath);
}
if (!cleanCase) removeCase(cleanPath);
console.log(`ctrlc-stress: ${JSON.stringify(tally)}`);
