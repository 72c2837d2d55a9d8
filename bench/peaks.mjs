/**
 * Peak memory of every command (issue 14: "peak RSS under 1 GB for every command on every input").
 * Runs each dwell command the built CLI has on one case — info, verify, sniff, rules, search, sql,
 * correlate, hunt, every export (--what × --format, with and without --text), the TUI under tmux —
 * under `/usr/bin/time -v`, and records wall time, CPU (user + sys), peak RSS, exit code and the
 * size of what it wrote. A sampler sums VmRSS over the command's whole process tree every 200 ms
 * too (the TUI runs in tmux; /usr/bin/time sees only its own child).
 *
 *   npm run build && node bench/peaks.mjs --case BASE.duckdb --evidence DIR [--work DIR]
 *        [--only REGEX] [--skip REGEX] [--reps N] [--hash] [--keep-outputs] [--json FILE]
 *        [--bin OTHER/bin/dwell.js] [--copy NAME.duckdb] [--many TEXT] [--few TEXT] [--sigma DIR]
 *
 * BASE is never written: it is copied to WORK/peaks-1.duckdb first (correlate, hunt and the TUI's
 * annotations write) and every command runs on the copy, which is deleted at the end (kept with
 * --keep-outputs; an existing copy is reused, so a second run can skip correlate and hunt). The
 * evidence folder is what `verify` re-hashes and `sniff` reads (its largest file, and the whole
 * folder); DIR/../expected.json, when there, gives correlate the scenario's seed and times.
 * Outputs go to WORK and are deleted after each command (--keep-outputs keeps them); --hash
 * records a SHA-256 of each output (a folder: of its files' names and bytes, in name order), to
 * compare outputs before and after a change. Steps run in the order listed (correlate and hunt
 * before the exports that read their findings and detections).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import { machine, median } from './lib/measure.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
/** --bin: another build's bin/dwell.js (a copy of the tree before a change), for before/after runs. */
const BIN = opt('bin', join(ROOT, 'bin', 'dwell.js'));
const flag = (name) => args.includes(`--${name}`);
const BASE = opt('case');
const EVIDENCE = opt('evidence');
if (!BASE || !EVIDENCE) {
  process.stderr.write('usage: node bench/peaks.mjs --case BASE.duckdb --evidence DIR [--work DIR] [--only REGEX] [--skip REGEX] [--reps N] [--hash] [--keep-outputs] [--json FILE]\n');
  process.exit(2);
}
const WORK = opt('work', '/work/bench-cases');
const ONLY = opt('only') ? new RegExp(opt('only')) : null;
const SKIP = opt('skip') ? new RegExp(opt('skip')) : null;
const REPS = Number(opt('reps', '1'));
/**
 * A step still running after this many seconds is stopped (SIGTERM): its peak so far is recorded,
 * marked. Not correlate and hunt: the exports after them read what they store.
 */
const MAX_SECONDS = Number(opt('max-seconds', '0'));
const HASH = flag('hash');
const KEEP = flag('keep-outputs');
const JSON_OUT = opt('json');
const CASE = join(WORK, opt('copy', 'peaks-1.duckdb'));
const OUT = join(WORK, `${opt('copy', 'peaks-1.duckdb').replace(/\.duckdb$/, '')}-out`);

// ---------------------------------------------------------------------------------------------
// Process-tree RSS sampling (Linux /proc).

/** pid → ppid of every process now. */
function parents() {
  const m = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      // The command name may hold spaces and parentheses: the fields start after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      m.set(Number(d), Number(fields[1]));
    } catch {
      /* gone */
    }
  }
  return m;
}

function rssKb(pid) {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Sum of VmRSS over `root` and its descendants, leaving out /usr/bin/time and tmux themselves. */
function treeRssKb(roots) {
  const pp = parents();
  const kids = new Map();
  for (const [pid, ppid] of pp) (kids.get(ppid) ?? kids.set(ppid, []).get(ppid)).push(pid);
  let sum = 0;
  const stack = [...roots];
  const seen = new Set();
  while (stack.length) {
    const p = stack.pop();
    if (seen.has(p)) continue;
    seen.add(p);
    let comm = '';
    try {
      comm = readFileSync(`/proc/${p}/comm`, 'utf8').trim();
    } catch {
      continue;
    }
    if (comm !== 'time' && !comm.startsWith('tmux')) sum += rssKb(p);
    stack.push(...(kids.get(p) ?? []));
  }
  return sum;
}

function sampler(rootsFn) {
  let peak = 0;
  const t = setInterval(() => {
    const roots = rootsFn();
    if (roots.length) peak = Math.max(peak, treeRssKb(roots));
  }, 200);
  return () => {
    clearInterval(t);
    return peak / 1024;
  };
}

// ---------------------------------------------------------------------------------------------
// /usr/bin/time -v

function parseTimeV(text) {
  const get = (label) => {
    const m = new RegExp(`${label}: (.*)`).exec(text);
    return m ? m[1].trim() : null;
  };
  const wall = get('Elapsed \\(wall clock\\) time \\(h:mm:ss or m:ss\\)');
  const parts = (wall ?? '0').split(':').map(Number);
  const seconds = parts.reduce((s, x) => s * 60 + x, 0);
  return {
    wall: seconds,
    user: Number(get('User time \\(seconds\\)') ?? NaN),
    sys: Number(get('System time \\(seconds\\)') ?? NaN),
    maxRssMb: Number(get('Maximum resident set size \\(kbytes\\)') ?? NaN) / 1024,
    exit: Number(get('Exit status') ?? NaN),
  };
}

function sizeOf(p) {
  if (!existsSync(p)) return 0;
  const s = statSync(p);
  if (!s.isDirectory()) return s.size;
  return readdirSync(p).reduce((n, f) => n + sizeOf(join(p, f)), 0);
}

function filesOf(p, rel = '') {
  const s = statSync(join(p, rel));
  if (!s.isDirectory()) return [rel];
  return readdirSync(join(p, rel))
    .sort()
    .flatMap((f) => filesOf(p, rel ? join(rel, f) : f));
}

async function hashOf(p) {
  if (!existsSync(p)) return null;
  const h = createHash('sha256');
  const dir = statSync(p).isDirectory();
  for (const f of dir ? filesOf(p) : ['']) {
    if (dir) h.update(`${f}\0`);
    await new Promise((resolve, reject) => createReadStream(join(p, f)).on('data', (b) => h.update(b)).on('end', resolve).on('error', reject));
  }
  return h.digest('hex');
}

/** Runs `dwell ARGV` under /usr/bin/time -v, standard output to `stdoutFile`. */
async function runTimed(argv, stdoutFile, env, maxSeconds) {
  const tf = join(OUT, `.time-${process.pid}`);
  const out = stdoutFile ? (await import('node:fs')).openSync(stdoutFile, 'w') : 'ignore';
  const child = spawn('/usr/bin/time', ['-v', '-o', tf, process.execPath, BIN, ...argv], { cwd: ROOT, stdio: ['ignore', out, 'pipe'], env: { ...process.env, ...env } });
  let stderr = '';
  child.stderr.on('data', (b) => {
    if (stderr.length < 20000) stderr += b;
  });
  const stop = sampler(() => [child.pid]);
  let stopped = false;
  const timer =
    maxSeconds > 0
      ? setTimeout(() => {
          // The dwell process is /usr/bin/time's child: stop it, and time reports what it used.
          const pp = parents();
          for (const [pid, ppid] of pp) if (ppid === child.pid) process.kill(pid, 'SIGTERM');
          stopped = true;
        }, maxSeconds * 1000)
      : null;
  await new Promise((resolve) => child.on('close', resolve));
  if (timer) clearTimeout(timer);
  const treeMb = stop();
  if (typeof out === 'number') (await import('node:fs')).closeSync(out);
  const r = parseTimeV(readFileSync(tf, 'utf8'));
  rmSync(tf, { force: true });
  return { ...r, treeMb, stderr, stopped };
}

// ---------------------------------------------------------------------------------------------
// The TUI, under tmux: open, page down, search, jump to the end, quit.

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function tmux(...a) {
  return spawnSync('tmux', a, { encoding: 'utf8' });
}

async function waitFor(session, test, timeoutMs) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const screen = tmux('capture-pane', '-p', '-t', session).stdout ?? '';
    if (test(screen)) return screen;
    await sleep(200);
  }
  throw new Error(`tmux ${session}: timed out; screen:\n${tmux('capture-pane', '-p', '-t', session).stdout}`);
}

async function runTui(pattern) {
  const session = `peaks-tui-${process.pid}`;
  const tf = join(OUT, '.time-tui');
  const done = join(OUT, '.tui-done');
  rmSync(done, { force: true });
  const cmd = `cd ${ROOT} && /usr/bin/time -v -o ${tf} ${process.execPath} ${BIN} tui --case ${CASE} 2>${join(OUT, 'tui.stderr')}; echo $? > ${done}`;
  tmux('new-session', '-d', '-s', session, '-x', '160', '-y', '50', cmd);
  const panePid = Number(tmux('display-message', '-p', '-t', session, '#{pane_pid}').stdout.trim());
  const stop = sampler(() => (existsSync(done) ? [] : [panePid]));
  const keys = [];
  const key = async (k, wait = 300) => {
    keys.push(k);
    tmux('send-keys', '-t', session, k);
    await sleep(wait);
  };
  try {
    // The first frame: the key hints line is drawn.
    await waitFor(session, (s) => s.includes('q quit'), 600000);
    for (let i = 0; i < 20; i++) await key('PageDown', 250);
    await key('G', 3000);
    for (let i = 0; i < 5; i++) await key('PageUp', 250);
    await key('g', 2000);
    await key('/', 300);
    tmux('send-keys', '-t', session, '-l', pattern);
    await key('Enter', 5000);
    for (let i = 0; i < 5; i++) await key('n', 1000);
    // A search still running or a prompt open takes the keys: Escape first, then q until it quits.
    for (let tries = 0; tries < 20 && !existsSync(done); tries++) {
      await key('Escape', 500);
      await key('q', 500);
      const end = Date.now() + 15000;
      while (!existsSync(done) && Date.now() < end) await sleep(200);
    }
  } finally {
    tmux('kill-session', '-t', session);
  }
  const treeMb = stop();
  const r = existsSync(tf) ? parseTimeV(readFileSync(tf, 'utf8')) : { wall: NaN, user: NaN, sys: NaN, maxRssMb: NaN, exit: NaN };
  rmSync(tf, { force: true });
  return { ...r, treeMb, stderr: existsSync(join(OUT, 'tui.stderr')) ? readFileSync(join(OUT, 'tui.stderr'), 'utf8').slice(0, 2000) : '', keys: keys.length };
}

// ---------------------------------------------------------------------------------------------
// The steps.

function largestFile(dir) {
  let best = null;
  const walk = (d) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      const s = statSync(p);
      if (s.isDirectory()) walk(p);
      else if (!best || s.size > best.size) best = { path: p, size: s.size };
    }
  };
  walk(dir);
  return best.path;
}

function correlateArgs() {
  const exp = join(EVIDENCE, '..', 'expected.json');
  if (!existsSync(exp)) return ['correlate', '--case', CASE];
  const e = JSON.parse(readFileSync(exp, 'utf8'));
  const p = e.parameters;
  const seed = { ip: 'ip', access_key: 'key' }[e.seed.kind] + ':' + e.seed.value;
  return ['correlate', '--case', CASE, '--seed', seed, '--detected-at', p.detected_at, '--contained-at', p.contained_at, ...p.sensitive.flatMap((s) => ['--sensitive', s])];
}

/** Export pairs from `dwell export --help`'s registry, as the CLI lists them. */
async function exportPairs() {
  const { FORMATS } = await import('../dist/export/registry.js');
  return FORMATS.flatMap((f) => f.whats.map((w) => ({ what: w, format: f.name, target: f.target, filtered: f.filtered })));
}

const MANY = opt('many', 'sshd');
const FEW = opt('few', 'Accepted publickey');
const SIGMA = opt('sigma', join(ROOT, '..', 'shared', 'specs', 'sigma', 'rules'));

async function steps() {
  const c = ['--case', CASE];
  const o = (name) => join(OUT, name);
  const s = [
    { name: 'info', argv: ['info', ...c], stdout: o('info.txt') },
    { name: 'info --json', argv: ['info', ...c, '--json'], stdout: o('info.json') },
    { name: 'verify', argv: ['verify', ...c], stdout: o('verify.txt') },
    { name: 'sniff (largest file)', argv: ['sniff', largestFile(EVIDENCE)], stdout: o('sniff1.txt') },
    { name: 'sniff (evidence folder)', argv: ['sniff', EVIDENCE], stdout: o('sniff.txt') },
    { name: 'rules list', argv: ['rules', 'list'], stdout: o('rules.txt') },
    { name: `search many (${MANY}) --count`, argv: ['search', ...c, MANY, '--count'], stdout: o('s-count.txt') },
    { name: `search many (${MANY}) page`, argv: ['search', ...c, MANY, '--table'], stdout: o('s-page.txt') },
    { name: `search many (${MANY}) --json --limit 0`, argv: ['search', ...c, MANY, '--json', '--limit', '0', '-o', o('s-many.jsonl')], out: o('s-many.jsonl') },
    { name: `search many (${MANY}) --csv --limit 0`, argv: ['search', ...c, MANY, '--csv', '--limit', '0', '-o', o('s-many.csv')], out: o('s-many.csv') },
    { name: `search few (${FEW}) --json --limit 0`, argv: ['search', ...c, FEW, '--json', '--limit', '0', '-o', o('s-few.jsonl')], out: o('s-few.jsonl') },
    { name: `search few (${FEW}) --csv --limit 0`, argv: ['search', ...c, FEW, '--csv', '--limit', '0', '-o', o('s-few.csv')], out: o('s-few.csv') },
    { name: 'search --regex few', argv: ['search', ...c, '--regex', 'Accepted (publickey|password) for \\w+', '--json', '--limit', '0', '-o', o('s-re.jsonl')], out: o('s-re.jsonl') },
    { name: 'sql GROUP BY host, source, action', argv: ['sql', ...c, 'SELECT host, source, action, count(*) AS n FROM events GROUP BY ALL ORDER BY n DESC', '--csv', '-o', o('sql-group.csv')], out: o('sql-group.csv') },
    { name: 'sql GROUP BY raw (distinct lines)', argv: ['sql', ...c, 'SELECT count(*) AS distinct_raw FROM (SELECT raw FROM events GROUP BY raw)', '--csv'], stdout: o('sql-raw.csv') },
    { name: 'sql every event ORDER BY ts --csv', argv: ['sql', ...c, 'SELECT * FROM events ORDER BY ts, event_id', '--csv', '-o', o('sql-all.csv')], out: o('sql-all.csv') },
    { name: 'sql every event ORDER BY ts (table, 1000 rows)', argv: ['sql', ...c, 'SELECT * FROM events ORDER BY ts, event_id'], stdout: o('sql-all.txt') },
    { name: 'correlate', argv: correlateArgs(), stdout: o('correlate.txt'), whole: true },
    { name: 'hunt (Sigma rules)', argv: ['hunt', ...c, '--sigma', SIGMA, '--json'], stdout: o('hunt.json'), whole: true },
  ];
  for (const p of await exportPairs()) {
    const dir = p.target === 'directory';
    const file = o(`export-${p.what}-${p.format}${dir ? '' : '.out'}`);
    s.push({ name: `export ${p.what} ${p.format}`, argv: ['export', ...c, '--what', p.what, '--format', p.format, '-o', file, '-q'], out: file });
    if (p.filtered && (p.what === 'timeline') && (p.format === 'jsonl' || p.format === 'csv')) {
      const f2 = o(`export-${p.what}-${p.format}-text.out`);
      s.push({ name: `export ${p.what} ${p.format} --text ${MANY}`, argv: ['export', ...c, '--what', p.what, '--format', p.format, '--text', MANY, '-o', f2, '-q'], out: f2 });
    }
  }
  s.push({ name: 'export timeline jsonl to stdout', argv: ['export', ...c, '--what', 'timeline', '--format', 'jsonl', '-q'], stdout: o('export-stdout.jsonl') });
  s.push({ name: 'tui (open, 20 PgDn, G, 5 PgUp, g, / search, 5 n, q)', tui: true });
  s.push({ name: 'correlate (again, after the others)', argv: correlateArgs(), stdout: o('correlate2.txt'), whole: true });
  return s;
}

// ---------------------------------------------------------------------------------------------

mkdirSync(OUT, { recursive: true });
if (!existsSync(CASE)) {
  process.stderr.write(`copying ${BASE} → ${CASE}\n`);
  copyFileSync(BASE, CASE);
}
const all = await steps();
const results = [];
const started = new Date().toISOString();
const loadStart = loadavg()[0];
for (const st of all) {
  if (ONLY && !ONLY.test(st.name)) continue;
  if (SKIP && SKIP.test(st.name)) continue;
  const runs = [];
  for (let i = 0; i < REPS; i++) {
    const load = loadavg()[0];
    const out = st.out ?? st.stdout;
    if (out) rmSync(out, { recursive: true, force: true });
    const r = st.tui ? await runTui(MANY) : await runTimed(st.argv, st.stdout, st.env, st.whole ? 0 : MAX_SECONDS);
    r.load = load;
    r.size = out ? sizeOf(out) : 0;
    if (HASH && out) r.sha256 = await hashOf(out);
    if (out && !KEEP) rmSync(out, { recursive: true, force: true });
    runs.push(r);
    process.stderr.write(`${st.name}: ${r.stopped ? `STOPPED after ${MAX_SECONDS} s, ` : ''}exit ${r.exit}, wall ${r.wall.toFixed(1)} s, CPU ${(r.user + r.sys).toFixed(1)} s, peak ${r.maxRssMb.toFixed(0)} MB (tree ${r.treeMb.toFixed(0)} MB), out ${(r.size / 2 ** 20).toFixed(1)} MiB, load ${load.toFixed(1)}${r.sha256 ? `, ${r.sha256.slice(0, 16)}` : ''}\n`);
    if (r.exit !== 0 && !(r.exit === 1 && st.name.startsWith('search'))) process.stderr.write(`  stderr: ${r.stderr.slice(0, 600)}\n`);
  }
  const peak = Math.max(median(runs.map((r) => r.maxRssMb)), median(runs.map((r) => r.treeMb)));
  results.push({
    name: st.name,
    argv: st.argv ?? null,
    runs,
    wall: median(runs.map((r) => r.wall)),
    cpu: median(runs.map((r) => r.user + r.sys)),
    peakMb: peak,
    exit: runs.map((r) => r.exit),
    stopped: runs.some((r) => r.stopped),
    size: runs[0].size,
    sha256: runs.map((r) => r.sha256 ?? null),
  });
}
if (!KEEP) rmSync(CASE, { force: true });
const report = { date: started, machine: machine(), loadStart, loadEnd: loadavg()[0], reps: REPS, base: BASE, results };
if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify(report, null, 2) + '\n');

const mb = (x) => `${Math.round(x).toLocaleString('en-US')} MB`;
const verdict = (x) => (x >= 1000 ? '**over**' : x >= 900 ? 'under (within 10 %)' : 'under');
const lines = [
  `| command | exit | wall | CPU (user + sys) | peak RSS | under 1 GB? | output |`,
  `|---|---|---|---|---|---|---|`,
  ...results.map((r) => `| ${r.name} | ${r.stopped ? `stopped at ${MAX_SECONDS} s` : r.exit.join(', ')} | ${r.wall.toFixed(1)} s | ${r.cpu.toFixed(1)} s | ${mb(r.peakMb)} | ${verdict(r.peakMb)} | ${r.size > 0 ? (r.size / 2 ** 20).toFixed(1) + ' MiB' : '—'} |`),
];
process.stdout.write(`${machine()}; load ${loadStart.toFixed(1)} → ${loadavg()[0].toFixed(1)}; medians of ${REPS}\n\n${lines.join('\n')}\n`);
