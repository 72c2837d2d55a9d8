/**
 * What the SQL path cannot promise goes to the JS parser, whole: each file here holds one thing
 * the fast path must decline (line ends DuckDB would split differently, bytes it would refuse or
 * alter, lines the JS parser warns about or rewrites). Each is ingested both ways and must be
 * stored identically, read by JS; a control file beside them is read by DuckDB.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/cli.js';
import { ingestBoth } from './compare.js';

const HEADER = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
const rec = (src = '10.0.1.25', dst = '198.51.100.7', extra = '') => `2 123456789010 eni-0a1b2c3d4e5f60718${extra} ${src} ${dst} 49152 443 6 20 4249 1718530010 1718530070 ACCEPT OK`;
const GOOD = [HEADER, rec(), rec('10.0.1.26'), rec('10.0.1.27')];

const CASES: Record<string, Buffer> = {
  'bare-cr.log': Buffer.from([HEADER, rec(), `${rec()}\rX`, rec()].join('\n') + '\n'),
  'mixed-line-ends.log': Buffer.from(`${HEADER}\r\n${rec()}\n${rec()}\r\n`),
  'nul.log': Buffer.from([HEADER, rec(), `${rec()}\0`, rec()].join('\n') + '\n'),
  'invalid-utf8.log': Buffer.concat([Buffer.from(`${HEADER}\n${rec()}\n`), Buffer.from([0x32, 0x20, 0xff, 0xfe, 0x0a]), Buffer.from(`${rec()}\n`)]),
  'delimiter-byte.log': Buffer.from([HEADER, rec(), rec('10.0.1.25', '198.51.100.7', '\x01'), rec()].join('\n') + '\n'),
  'whitespace-line.log': Buffer.from([HEADER, rec(), '   ', rec()].join('\n') + '\n'),
  'double-space.log': Buffer.from([HEADER, rec().replace(' ', '  '), rec()].join('\n') + '\n'),
  'second-header.log': Buffer.from([HEADER, rec(), 'version account-id interface-id srcaddr dstaddr srcport dstport protocol bytes packets start end action log-status', rec()].join('\n') + '\n'),
  'ipv6.log': Buffer.from([HEADER, rec(), rec('2001:db8::1', '2001:db8::2')].join('\n') + '\n'),
  'ipv4-leading-zero.log': Buffer.from([HEADER, rec('010.000.001.025')].join('\n') + '\n'),
  'short-line.log': Buffer.from([HEADER, rec(), '2 123456789010 eni-0a1b2c3d4e5f60718 10.0.1.25'].join('\n') + '\n'),
  'quote-in-field.log': Buffer.from([HEADER, rec(), rec('10.0.1.25', '198.51.100.7', '"\\x')].join('\n') + '\n'),
  'relative-time.log': Buffer.from([HEADER, rec().replace('1718530010 1718530070', '10 70')].join('\n') + '\n'),
  'millisecond-time.log': Buffer.from([HEADER, rec().replace('1718530010 1718530070', '1718530010000 1718530070000')].join('\n') + '\n'),
  'cloudwatch.log': Buffer.from(GOOD.slice(1).map((l) => `2024-06-16T09:27:00.000Z ${l}`).join('\n') + '\n'),
  'bom.log': Buffer.from('\uFEFF' + GOOD.join('\n') + '\n'),
  'crlf-no-last-end.log': Buffer.from(GOOD.join('\r\n')),
  'truncated.log.gz': gzipSync(GOOD.join('\n') + '\n').subarray(0, 60),
  'glob[1]*.log': Buffer.from(GOOD.join('\n') + '\n'),
  // Ranges and shapes the SQL checks in its line regex or on the cast numbers (vpc-flow.sql.ts).
  'port-over-65535.log': Buffer.from([HEADER, rec(), rec().replace(' 49152 443 ', ' 65536 443 ')].join('\n') + '\n'),
  'protocol-over-255.log': Buffer.from([HEADER, rec(), rec().replace(' 443 6 ', ' 443 256 ')].join('\n') + '\n'),
  'counter-16-digits.log': Buffer.from([HEADER, rec(), rec().replace(' 4249 ', ' 1234567890123456 ')].join('\n') + '\n'),
  'end-before-start.log': Buffer.from([HEADER, rec(), rec().replace('1718530010 1718530070', '1718530070 1718530010')].join('\n') + '\n'),
  'end-over-a-day-after.log': Buffer.from([HEADER, rec(), rec().replace('1718530010 1718530070', '1718530010 1718616411')].join('\n') + '\n'),
  'host-address.log': Buffer.from([HEADER, rec(), rec().replace('eni-0a1b2c3d4e5f60718', '10.0.1.99')].join('\n') + '\n'),
  'host-colon.log': Buffer.from([HEADER, rec(), rec().replace('eni-0a1b2c3d4e5f60718', 'eni:0a1b')].join('\n') + '\n'),
  'header-like-line.log': Buffer.from([HEADER, rec(), 'a b c d e f g h i j k l m n', rec()].join('\n') + '\n'),
  'long-summary.log': Buffer.from([HEADER, rec(), rec().replace(' ACCEPT ', ` ${'A'.repeat(1100)} `)].join('\n') + '\n'),
};

describe('files the fast path declines', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('reads each with the JS parser and stores it exactly as --no-fast does', { timeout: 300_000 }, async () => {
    const ev = join(tmp.path, 'evidence');
    mkdirSync(ev);
    for (const [name, bytes] of Object.entries(CASES)) writeFileSync(join(ev, name), bytes);
    writeFileSync(join(ev, "control it's fine.log"), GOOD.join('\n') + '\n');
    const { fast, js, files } = await ingestBoth(tmp.path, [ev]);
    const by = Object.fromEntries(files.map((f) => [f.path.split('/').pop(), f.readBy]));
    expect(by).toEqual({ ...Object.fromEntries(Object.keys(CASES).map((n) => [n, 'js'])), "control it's fine.log": 'sql' });
    for (const f of files) if (f.readBy === 'js') expect(f.fastDeclined, f.path).toMatch(/\S/);
    expect(fast).toEqual(js);
  });

  it('declines a format given with -O vpc-fields', async () => {
    const d = join(tmp.path, 'forced');
    mkdirSync(d);
    writeFileSync(join(d, 'flows.log'), GOOD.slice(1).join('\n') + '\n');
    const { fast, js, files } = await ingestBoth(d, [join(d, 'flows.log')], { 'vpc-fields': HEADER });
    expect(files[0]!.readBy).toBe('js');
    expect(fast).toEqual(js);
  });
});
