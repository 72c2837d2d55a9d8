/** Runs commands under /usr/bin/time to get wall time and peak RSS; medians of repeated runs. */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';

export const HAS_TIME = existsSync('/usr/bin/time');

/** Runs argv; returns { seconds, maxRssMb, code, stdout, stderr }. */
export function timed(argv, opts = {}) {
  const t0 = process.hrtime.bigint();
  const tf = `/tmp/dwell-bench-time-${process.pid}`;
  const cmd = HAS_TIME ? ['/usr/bin/time', '-f', '%e %M', '-o', tf, ...argv] : argv;
  const r = spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8', maxBuffer: 1 << 26, ...opts });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  let maxRssMb = null;
  if (HAS_TIME && existsSync(tf)) {
    const [, kb] = readFileSync(tf, 'utf8').trim().split(/\s+/).slice(-2);
    maxRssMb = Number(kb) / 1024;
    rmSync(tf, { force: true });
  }
  return { seconds: wall, maxRssMb, code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function machine() {
  const cpus = os.cpus();
  return `${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`;
}

export function which(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}
