/**
 * Issue 15's benchmark: `dwell watch` on a large case.
 *
 * - Latency: an attacker line appended to a followed auth.log → its alert on watch's standard
 *   output (--json), wall time from just before the write to the line read, N times.
 * - Soak: a day of evidence written at high speed (hourly rotations, a new Zeek conn.log per
 *   hour, one attacker line per hour among benign ones), the watcher's RSS sampled from
 *   /proc/PID/status (VmRSS) and its peak (VmHWM) read at the end.
 *
 * The case: N synthetic events inserted with SQL straight into a new case (the watch list's rules
 * run their SQL over the whole case on each extent, so the case's size is what matters, not how
 * it was made), cached in bench/out/watch-N. `node bench/watch.mjs --help` lists the options.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machine, median, timed } from './lib/measure.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'bench', 'out');
const BIN = join(ROOT, 'bin', 'dwell.js');

function arg(name, dflt) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}

function argText(name) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

const HELP = `usage: node bench/watch.mjs [options]

  --events N            events in the synthetic case (default 10000000; cached in bench/out/watch-N)
  --samples S           latency samples: an attacker line appended → its alert (default 20; 0 skips)
  --hours H             hours of evidence in the soak (default 24; an auth.log rotation and a Zeek file each)
  --lines-per-hour L    auth.log lines per hour (default 20000; one attacker line among them)
  --seconds-per-hour S  pace of the soak: each hour's lines are spread over S seconds (default 0: as fast
                        as possible, the high-speed soak; 3600 is a real day)
  --memlog FILE         the soak's watcher samples its memory into FILE each second (DWELL_WATCH_MEMLOG:
                        VmRSS, V8 heap, duckdb_memory() by tag, temporary files)
  --no-rules            leave the watch list's rules out (value entries only)

Prints one JSON object: latency (median, p95, max, missed), the soak's alerts and RSS (median, peak).
`;

const ATTACKER = '203.0.113.250';

async function buildCase(casePath, events) {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const { SCHEMA_SQL } = await import(join(ROOT, 'dist', 'store', 'schema.js'));
  const inst = await DuckDBInstance.create(casePath);
  const c = await inst.connect();
  for (const sql of SCHEMA_SQL) await c.run(sql);
  await c.run(`INSERT INTO case_meta VALUES ('schema_version', '1')`);
  await c.run(`INSERT INTO ingest_runs (run_id, started_at, dwell_version, tz, status) VALUES (nextval('run_id_seq'), now()::TIMESTAMP, 'bench', 'UTC', 'completed')`);
  await c.run(`INSERT INTO evidence (evidence_id, run_id, path, abs_path, status, events, ingested_at, format, compression) VALUES (1, 1, 'synthetic', '/nonexistent/synthetic', 'ingested', ${events}, now()::TIMESTAMP, 'auth_log', 'none')`);
  // Auth-like rows over 60 days: failures and logins from many addresses, users and hosts.
  await c.run(`INSERT INTO events (event_id, ts, time_quality, source, class, action, outcome, host, actor, src_ip, src_port, protocol, session, summary, evidence_id, line, byte_offset, byte_length, raw)
    SELECT 4294967296 + i, TIMESTAMP '2026-09-01' + to_microseconds((i * 518400000000 // ${events})::BIGINT), 'year_inferred', 'auth_log', 'authentication',
           CASE WHEN i % 7 = 0 THEN 'ssh_login' ELSE 'ssh_login_failed' END, CASE WHEN i % 7 = 0 THEN 'success' ELSE 'failure' END,
           'web-' || (i % 50), 'user' || (i % 997), '10.' || (i % 200) || '.' || (i % 251) || '.' || (i % 13), 1024 + i % 60000, 'ssh',
           (i % 30000)::VARCHAR || '@web-' || (i % 50), 'synthetic event ' || i, 1, i + 1, i * 100, 99, 'synthetic'
    FROM range(${events}) t(i)`);
  await c.run('CHECKPOINT');
  c.closeSync();
  inst.closeSync();
}

function syslog(message, pid, d = new Date()) {
  const mon = d.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  return `${mon} ${String(d.getUTCDate()).padStart(2, ' ')} ${d.toISOString().slice(11, 19)} web-01 sshd[${pid}]: ${message}\n`;
}

function startWatch(casePath, live, env = process.env) {
  const child = spawn(process.execPath, [BIN, 'watch', '--case', casePath, '--json', '--poll', '100', live], { stdio: ['ignore', 'pipe', 'pipe'], env });
  const listeners = [];
  let buf = '';
  let err = '';
  child.stdout.on('data', (d) => {
    buf += d;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      const at = performance.now();
      let j;
      try {
        j = JSON.parse(line);
      } catch {
        continue;
      }
      for (const l of listeners) l(j, at);
    }
  });
  child.stderr.on('data', (d) => (err += d));
  const ready = new Promise((res, rej) => {
    const t = setInterval(() => {
      if (/watching /.test(err)) {
        clearInterval(t);
        res();
      } else if (child.exitCode !== null) {
        clearInterval(t);
        rej(new Error(err));
      }
    }, 20);
  });
  return { child, listeners, ready, stderr: () => err };
}

/** CPU seconds (user + sys) the process has used so far: far less sensitive to the machine's load than wall time. */
function cpuOf(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
  // utime, stime are fields 14 and 15 of stat (11 and 12 after the name); clock ticks of 1/100 s on Linux.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function rssOf(pid) {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const get = (k) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? 0) / 1024;
  return { rss: get('VmRSS'), hwm: get('VmHWM') };
}

export async function run({
  events = arg('events', 10_000_000),
  samples = arg('samples', 20),
  hours = arg('hours', 24),
  linesPerHour = arg('lines-per-hour', 20_000),
  secondsPerHour = arg('seconds-per-hour', 0),
  memlog = argText('memlog'),
  noRules = process.argv.includes('--no-rules'),
} = {}) {
  const dir = join(OUT, `watch-${events}`);
  mkdirSync(dir, { recursive: true });
  const cached = join(dir, 'case.duckdb');
  const built = join(dir, 'built');
  if (!existsSync(built)) {
    rmSync(cached, { force: true });
    rmSync(cached + '.wal', { force: true });
    const t0 = performance.now();
    process.stderr.write(`building a case of ${events} synthetic events → ${cached}\n`);
    await buildCase(cached, events);
    writeFileSync(built, String(performance.now() - t0));
  }
  // Each run watches a fresh copy of the built case: runs stay comparable (the case does not grow
  // from run to run), and the files of an earlier run's live folder (deleted, their inodes free
  // for reuse) are not in it to be taken for this run's files.
  const casePath = join(dir, 'run.duckdb');
  rmSync(casePath + '.wal', { force: true });
  copyFileSync(cached, casePath);
  // The watch list: the attacker's address and two rules (one windowed, one over the whole case).
  // --no-rules leaves the rules out (removed from a cached case's list) to tell their share.
  const ruleArgs = ['rule:access.ssh_success_after_bruteforce', 'rule:recon.ssh_probe'].flatMap((r) => [noRules ? '--remove' : '--add', r]);
  let edit = timed([process.execPath, BIN, 'watch', '--case', casePath, '--add', `ip:${ATTACKER}`, ...ruleArgs, '-q']);
  // Removing what a fresh case never had: add the address alone.
  if (edit.code !== 0 && noRules) edit = timed([process.execPath, BIN, 'watch', '--case', casePath, '--add', `ip:${ATTACKER}`, '-q']);
  if (edit.code !== 0) throw new Error(edit.stderr);

  // Latency.
  const live = join(dir, 'live');
  rmSync(live, { recursive: true, force: true });
  mkdirSync(live, { recursive: true });
  const auth = join(live, 'auth.log');
  writeFileSync(auth, syslog('Accepted publickey for alice from 10.9.9.9 port 1 ssh2', 1));
  const w = startWatch(casePath, live);
  await w.ready;
  await new Promise((r) => setTimeout(r, 1500));
  const lat = [];
  for (let i = 0; i < samples; i++) {
    const port = 20000 + i;
    const got = new Promise((res) => {
      const l = (j, at) => {
        if (j.event?.summary?.includes(`port ${port}`)) {
          w.listeners.splice(w.listeners.indexOf(l), 1);
          res(at);
        }
      };
      w.listeners.push(l);
    });
    const t0 = performance.now();
    appendFileSync(auth, syslog(`Failed password for root from ${ATTACKER} port ${port} ssh2`, 100 + i));
    const t1 = await Promise.race([got, new Promise((r) => setTimeout(() => r(null), 30_000))]);
    lat.push(t1 === null ? Infinity : t1 - t0);
    await new Promise((r) => setTimeout(r, 200 + Math.random() * 300));
  }
  const rssAfterLatency = rssOf(w.child.pid);
  w.child.kill('SIGTERM');
  await new Promise((r) => w.child.on('close', r));

  // Soak: a day of evidence at high speed.
  rmSync(live, { recursive: true, force: true });
  mkdirSync(live, { recursive: true });
  if (memlog) rmSync(memlog, { force: true });
  const s = startWatch(casePath, live, memlog ? { ...process.env, DWELL_WATCH_MEMLOG: memlog } : process.env);
  await s.ready;
  let alerts = 0;
  s.listeners.push((j) => {
    if (j.alert_id) alerts++;
  });
  const rss = [];
  const sampler = setInterval(() => {
    try {
      rss.push(rssOf(s.child.pid).rss);
    } catch {
      /* exited */
    }
  }, 250);
  const t0 = performance.now();
  const base = Date.now() - hours * 3600_000;
  let written = 0;
  // Paced: a chunk every secondsPerHour / (chunks per hour) seconds; else as fast as possible.
  const chunk = secondsPerHour > 0 ? Math.max(1, Math.round(linesPerHour / (secondsPerHour * 2))) : 2000;
  const pauseMs = secondsPerHour > 0 ? (secondsPerHour * 1000 * chunk) / linesPerHour : 20;
  for (let h = 0; h < hours; h++) {
    if (h > 0 && existsSync(auth)) renameSync(auth, join(live, `auth.log.${h}`));
    for (let k = 0; k < linesPerHour; k += chunk) {
      let text = '';
      for (let j = k; j < Math.min(linesPerHour, k + chunk); j++) {
        const d = new Date(base + h * 3600_000 + (j * 3600_000) / linesPerHour);
        text += j === 777 ? syslog(`Failed password for root from ${ATTACKER} port ${40000 + h} ssh2`, 9000 + h, d) : syslog(`Accepted publickey for svc${j % 50} from 10.1.${j % 250}.${h} port ${j} ssh2`, 10000 + j, d);
        written++;
      }
      appendFileSync(auth, text);
      await new Promise((r) => setTimeout(r, pauseMs));
    }
    const ts = ((base + h * 3600_000) / 1000).toFixed(6);
    writeFileSync(
      join(live, `conn.${String(h).padStart(2, '0')}.log`),
      ['#separator \\x09', '#path\tconn', '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto', '#types\ttime\tstring\taddr\tport\taddr\tport\tenum', ...Array.from({ length: 500 }, (_, j) => `${ts}\tC${h}x${j}\t10.2.${j % 250}.1\t${30000 + j}\t10.0.0.1\t443\ttcp`), ''].join('\n'),
    );
  }
  // Wait until every hour's attacker line is alerted (or a minute passes).
  const deadline = performance.now() + 120_000;
  while (alerts < hours && performance.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  const soakSeconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  // Custody notices and errors of the soak's watcher (a missing alert is explained here, if anywhere).
  const problems = s.stderr().split('\n').filter((l) => /^CUSTODY|error:/.test(l)).slice(0, 5);
  const end = rssOf(s.child.pid);
  const cpu = cpuOf(s.child.pid);
  s.child.kill('SIGTERM');
  await new Promise((r) => s.child.on('close', r));
  const finite = lat.filter(Number.isFinite).sort((a, b) => a - b);
  return {
    machine: machine(),
    events,
    rules: !noRules,
    latencyMs: { samples: lat.length, missed: lat.length - finite.length, median: median(finite), p95: finite[Math.floor(finite.length * 0.95)] ?? null, max: finite[finite.length - 1] ?? null },
    rssAfterLatencyMb: rssAfterLatency,
    soak: { hours, secondsPerHour, linesWritten: written, zeekFiles: hours, seconds: soakSeconds, cpuSeconds: cpu, alerts, expectedAlerts: hours, problems, rssMedianMb: median(rss), rssMaxSampledMb: Math.max(...rss), vmHwmMb: end.hwm },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(HELP);
    process.exit(0);
  }
  const r = await run();
  process.stdout.write(JSON.stringify(r, null, 2) + '\n');
}
