/**
 * Custody with the Zeek SQL path (on by default), through the real CLI: a big conn.log killed
 * (SIGKILL) mid-read leaves nothing of it in the case and a re-run equals a clean run (every events
 * column digested, ids included); the access time DuckDB's open moved is put back, for a file read
 * by DuckDB and for one it declined.
 */
import { createWriteStream, mkdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dwell, tempDir } from '../../helpers/cli.js';
import { expectCleanAfterKill, fingerprint } from './compare.js';

const HEAD = [
  '#separator \\x09', '#set_separator\t,', '#empty_field\t(empty)', '#unset_field\t-', '#path\tconn', '#open\t2024-06-16-09-00-00',
  '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents',
  '#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]',
].join('\n') + '\n';

const record = (i: number) =>
  `${1718530000 + (i >> 6)}.${String(i % 1e6).padStart(6, '0')}\tC${i.toString(36)}\t10.0.${(i >> 8) & 255}.${i & 255}\t${1024 + (i % 60000)}\t198.51.${(i >> 4) & 255}.${i % 250}\t443\ttcp\tssl\t1.5\t${i % 900}\t${i * 7}\tSF\tT\tF\t0\tShADadFf\t10\t900\t12\t${i * 7 + 600}\t(empty)\n`;

async function writeConn(path: string, n: number): Promise<void> {
  const out = createWriteStream(path);
  out.write(HEAD);
  let chunk = '';
  for (let i = 0; i < n; i++) {
    chunk += record(i);
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
      chunk = '';
    }
  }
  out.end(chunk + '#close\t2024-06-16-10-00-00\n');
  await new Promise<void>((r) => out.on('finish', () => r()));
}

describe('Zeek SQL path custody', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('a big conn.log killed (SIGKILL) mid-read is absent; a re-run equals a clean run', { timeout: 480_000 }, async () => {
    const ev = join(tmp.path, 'evidence');
    mkdirSync(ev);
    writeFileSync(join(ev, 'a-small.log'), HEAD + record(1));
    await writeConn(join(ev, 'b-big.log'), 100_000);
    const clean = join(tmp.path, 'clean.duckdb');
    const first = await dwell(['ingest', '--json', '--no-index', '--case', clean, ev]);
    expect(first.code, first.stderr).toBe(0);
    const report = JSON.parse(first.stdout) as { files: Array<{ readBy: string }> };
    expect(report.files.map((f) => f.readBy)).toEqual(['sql', 'sql']);
    await expectCleanAfterKill({ evidence: ev, casePath: join(tmp.path, 'killed.duckdb'), signal: 'SIGKILL', kept: 'a-small.log', want: await fingerprint(clean) });
  });

  it('puts back the access time DuckDB moved, whether it stored the file or declined it', { timeout: 60_000 }, async () => {
    const d = join(tmp.path, 'atime');
    mkdirSync(d);
    const stored = join(d, 'a.log');
    const declined = join(d, 'b.log');
    writeFileSync(stored, HEAD + record(1));
    writeFileSync(declined, HEAD + record(1).replace('ShADadFf', 'Sh\\x09AD'));
    for (const f of [stored, declined]) utimesSync(f, new Date('2001-02-03T04:05:06Z'), new Date('2002-03-04T05:06:07Z'));
    const before = [stored, declined].map((f) => statSync(f, { bigint: true }));
    const res = await dwell(['ingest', '--json', '--no-index', '--case', join(tmp.path, 'atime.duckdb'), d]);
    expect((JSON.parse(res.stdout) as { files: Array<{ readBy: string }> }).files.map((f) => f.readBy)).toEqual(['sql', 'js']);
    const after = [stored, declined].map((f) => statSync(f, { bigint: true }));
    expect(after.map((a) => [a.atimeNs, a.mtimeNs])).toEqual(before.map((b) => [b.atimeNs, b.mtimeNs]));
  });
});
