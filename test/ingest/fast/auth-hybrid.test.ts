/**
 * The hybrid read (DuckDB reads the lines, JS parses them and stages only the parsed fields:
 * src/ingest/fast/hybrid-lines.ts) stores auth logs exactly as the plain JS path: every events
 * column (ids, raw, byte offsets, summary, attrs), every warning and every evidence row are
 * compared with `--no-fast` on every auth file of the corpus and on generated files (plain, gzip,
 * CRLF, continuation and forwarded lines, multi-byte text). Files the hybrid cannot read exactly
 * (a bare CR, invalid UTF-8, NUL, a BOM, bzip2) are declined and read by JS, stored identically.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../../helpers/cli.js';
import { ingestBoth, numberedDirs } from './compare.js';
// @ts-expect-error plain .mjs bench generator
import { authLines } from '../../../bench/lib/gen-auth-log.mjs';


// The hybrid read is off by default (slower than plain JS as measured): these tests ask for it.
process.env.DWELL_HYBRID_FORMATS = 'auth_log';
const CORPUS = join(ROOT, '..', 'shared', 'corpus', 'auth');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile() && !/\.(md|csv|json)$|LICENSE/.test(d.name))
    .map((d) => join(d.parentPath, d.name))
    .sort();
}

/** The bench's generator (every message family it writes), plus the shapes the hybrid must keep exact. */
function generated(n: number): string {
  const lines: string[] = [...(authLines(n, 7, Date.UTC(2025, 2, 1)) as Iterable<string>)];
  lines.splice(10, 0, '', '   ', 'Mar  1 00:00:09 web-01 sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/find / -name x', 'Mar  1 00:00:09 web-01 sudo:    alice : (command continued) -type f');
  lines.splice(40, 0, 'Mar  1 00:01:00 web-01 sshd[4]: Failed password for jörg from 198.51.100.7 port 4242 ssh2', '\tindented continuation line');
  lines.splice(80, 0, 'not a syslog line at all', 'Mar  1 00:02:00 web-01 sshd[5]: Accepted password for ü\u2028x from 2001:DB8::1 port 22 ssh2');
  return lines.join('\n') + '\n';
}

describe('auth logs through the hybrid read (DuckDB lines + JS fields)', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());
  const dir = numberedDirs(tmp.path);

  it('stores every auth file of the corpus exactly as the plain JS path', { timeout: 400_000 }, async () => {
    if (!existsSync(CORPUS)) return expect.fail('corpus missing: ../shared/corpus/auth');
    const { fast, js, files } = await ingestBoth(dir(), [CORPUS]);
    expect(fast.events.length).toBeGreaterThan(3000);
    expect(fast).toEqual(js);
    const by = Object.fromEntries(files.filter((f) => f.format === 'auth_log').map((f) => [f.path.split('/').slice(-2).join('/'), f.readBy]));
    // Most auth files are read by DuckDB + JS; compressed ones other than gzip are JS's alone.
    expect(Object.values(by).filter((r) => r === 'hybrid').length).toBeGreaterThanOrEqual(10);
    expect(by['plaso/syslog.bz2']).toBe('js');
    expect(by['plaso/syslog.xz']).toBe('js');
    expect(by['plaso/syslog.gz']).toBe('hybrid');
  });

  it('stores a generated file (plain, gzip, CRLF) exactly as the plain JS path, in many staged batches', { timeout: 400_000 }, async () => {
    const d = dir();
    // 2,000 lines hold every line shape the generator writes at 20,000 (55); 64 KiB batches make
    // each file about ten staged batches, each joined to DuckDB's lines on its own.
    const text = generated(2_000);
    writeFileSync(join(d, 'auth.log'), text);
    writeFileSync(join(d, 'auth.log.1.gz'), gzipSync(text));
    writeFileSync(join(d, 'secure'), text.replace(/\n/g, '\r\n'));
    process.env.DWELL_BATCH_BYTES = String(64 * 1024);
    try {
      const { fast, js, files } = await ingestBoth(d, [join(d, 'auth.log'), join(d, 'auth.log.1.gz'), join(d, 'secure')]);
      expect(files.map((f) => f.readBy)).toEqual(['hybrid', 'hybrid', 'hybrid']);
      expect(fast.events.length).toBeGreaterThan(3 * 1_900);
      expect(fast).toEqual(js);
    } finally {
      delete process.env.DWELL_BATCH_BYTES;
    }
  });

  it('declines what DuckDB would read differently, and stores it exactly as JS', { timeout: 400_000 }, async () => {
    const d = dir();
    const good = generated(300);
    const cases: Record<string, Buffer> = {
      'bare-cr.log': Buffer.from(good.replace('Invalid user', 'Invalid\ruser')),
      'invalid-utf8.log': Buffer.concat([Buffer.from(good), Buffer.from([0x4d, 0x61, 0x72, 0x20, 0x20, 0x31, 0x20, 0x30, 0x30, 0x3a, 0x30, 0x30, 0x3a, 0x30, 0x30, 0x20, 0x68, 0x20, 0x73, 0x75, 0x3a, 0x20, 0xff, 0xfe, 0x0a])]),
      'nul.log': Buffer.from(good.replace('Invalid user', 'Invalid\0user')),
      'bom.log': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(good)]),
      'delimiter.log': Buffer.from(good.replace('Invalid user', 'Invalid\x01user')),
      'mixed-crlf.log': Buffer.from(good.replace('\n', '\r\n')),
    };
    for (const [name, bytes] of Object.entries(cases)) writeFileSync(join(d, name), bytes);
    const { fast, js, files } = await ingestBoth(d, Object.keys(cases).map((n) => join(d, n)));
    for (const f of files) {
      expect([f.path.split('/').pop(), f.readBy]).toEqual([f.path.split('/').pop(), 'js']);
      expect(f.fastDeclined).toMatch(/^hybrid: /);
    }
    expect(fast).toEqual(js);
  });
});
