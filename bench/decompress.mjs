/**
 * `npm run bench -- decompress`: the evidence reader (hash + decompress, no parsing) on a generated
 * auth.log, plain and compressed with gzip, bzip2 and xz (the system's `bzip2`/`xz` make those),
 * and on a decompression bomb (1 GiB of newlines in ~1 MB of gzip) that the 1000:1 limit stops.
 * CPU milliseconds of this process per read, best of three. Requires the built dist/.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { writeAuthLog } from './lib/gen-auth-log.mjs';

const { openEvidence } = await import('../dist/ingest/evidence-reader.js');

async function readOnce(path) {
  const t0 = process.cpuUsage();
  const ev = await openEvidence(path);
  let bytes = 0;
  let stopped = null;
  try {
    for await (const chunk of ev.data) bytes += chunk.length;
  } catch (err) {
    stopped = err.message;
  }
  await ev.digest;
  const u = process.cpuUsage(t0);
  return { bytes, cpuMs: Math.round((u.user + u.system) / 1000), stopped };
}

export async function run() {
  const dir = mkdtempSync(join(tmpdir(), 'dwell-bench-decompress-'));
  try {
    const plain = join(dir, 'auth.log');
    await writeAuthLog(plain, 300_000, 42);
    await pipeline(createReadStream(plain), createGzip({ level: 6 }), createWriteStream(plain + '.gz'));
    execFileSync('bzip2', ['-k', '-9', plain]);
    execFileSync('xz', ['-k', '-6', plain]);
    const bomb = join(dir, 'bomb.log.gz');
    const block = Buffer.alloc(1 << 20, 0x0a);
    await pipeline(Readable.from((function* () { for (let i = 0; i < 1024; i++) yield block; })()), createGzip({ level: 9 }), createWriteStream(bomb));
    const rows = [];
    for (const [name, path] of [['plain', plain], ['gzip', plain + '.gz'], ['bzip2', plain + '.bz2'], ['xz', plain + '.xz'], ['gzip bomb (1 GiB of newlines)', bomb]]) {
      const runs = [];
      for (let i = 0; i < 3; i++) runs.push(await readOnce(path));
      runs.sort((a, b) => a.cpuMs - b.cpuMs);
      rows.push({ name, ...runs[0] });
    }
    return { rows };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function markdown(report) {
  return ['| input | bytes out | CPU (ms, best of 3) | stopped |', '|---|---|---|---|', ...report.rows.map((r) => `| ${r.name} | ${r.bytes.toLocaleString('en-US')} | ${r.cpuMs} | ${r.stopped ?? ''} |`)].join('\n');
}
