/**
 * Zeek TSV conn logs through DuckDB (zeek-tsv.sql.ts) store exactly what the JS parser stores:
 * every events column (ids, line numbers, byte offsets, raw, attrs, summary, Community ID), every
 * warning and every evidence row, on every Zeek TSV file of ../shared/corpus and
 * ../shared/corpus-attacks, on the fixtures and on generated files (plain, gzip, CRLF). Each guard
 * has a generated file of its own that must be declined — with its reason — and stored by JS
 * identically: removing a guard makes its test fail (a different row, or the wrong reader).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../../helpers/cli.js';
import { ingestBoth, numberedDirs } from './compare.js';

const SHARED = join(ROOT, '..', 'shared');
const FIXTURES = join(ROOT, 'fixtures', 'fast', 'zeek');

const FIELDS = 'ts uid id.orig_h id.orig_p id.resp_h id.resp_p proto service duration orig_bytes resp_bytes conn_state local_orig local_resp missed_bytes history orig_pkts orig_ip_bytes resp_pkts resp_ip_bytes tunnel_parents'.split(' ');
const TYPES = 'time string addr port addr port enum string interval count count string bool bool count string count count count count set[string]'.split(' ');

function header(fields = FIELDS, types = TYPES, extra: Record<string, string> = {}): string[] {
  const h = { separator: '#separator \\x09', set: '#set_separator\t,', empty: '#empty_field\t(empty)', unset: '#unset_field\t-', path: '#path\tconn', ...extra };
  return [h.separator, h.set, h.empty, h.unset, h.path, '#open\t2024-06-16-09-00-00', `#fields\t${fields.join('\t')}`, `#types\t${types.join('\t')}`];
}

/** Deterministic conn.log records: TCP/UDP/ICMP (paired and one-way types), unset and empty fields, sets, implausible times. */
function records(n: number, seed = 7): string[] {
  let s = seed;
  const r = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const ip = () => `${1 + Math.floor(r() * 222)}.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}`;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const t = i % 499 === 0 ? `${600000000 + i}.25` : `${1718530000 + i}.${String(Math.floor(r() * 1e6)).padStart(6, '0')}`;
    const proto = ['tcp', 'tcp', 'udp', 'icmp', 'unknown_transport'][i % 5]!;
    const v6 = i % 13 === 0;
    const ip6 = () => ['2001:db8::', 'fe80::', 'ff02::1:'][Math.floor(r() * 3)]! + Math.floor(r() * 65536).toString(16);
    const [sa, da] = i % 97 === 0 ? ['10.9.9.9', '10.9.9.9'] : i % 1001 === 0 ? ['fe80::1', 'fe80::1'] : v6 ? [ip6(), ip6()] : [ip(), ip()];
    let sp = String(Math.floor(r() * 65536));
    let dp = String([443, 80, 22, 53][i % 4]);
    if (proto === 'icmp') [sp, dp] = (v6 ? [['128', '0'], ['129', '0'], ['1', '4'], ['135', '0'], ['143', '0']] : [['8', '0'], ['0', '0'], ['3', '1'], ['13', '0'], ['11', '0']])[i % 5]!;
    if (proto === 'unknown_transport') [sp, dp] = ['-', '-'];
    const state = ['SF', 'S0', 'REJ', 'RSTO', 'OTH', 'SH', 'S1'][i % 7]!;
    const none = r() < 0.2;
    out.push([t, `C${i.toString(36)}x`, sa, sp, da, dp, proto, none ? '-' : ['ssl', 'http', 'dns', ''][i % 4], none ? '-' : `${Math.floor(r() * 100)}.${String(Math.floor(r() * 1e6)).padStart(6, '0')}`,
      none ? '-' : String(Math.floor(r() * 1e6)), none ? '-' : String(Math.floor(r() * 1e9)), state, r() < 0.5 ? 'T' : 'F', none ? '-' : 'F', '0', none ? '-' : 'ShADadFf',
      String(1 + Math.floor(r() * 99)), String(Math.floor(r() * 9999)), String(Math.floor(r() * 99)), String(Math.floor(r() * 9999)), ['(empty)', '-', 'Cq1,Cq2', 'a b'][i % 4]].join('\t'));
    if (i % 211 === 0) out.push('');
  }
  return out;
}

function zeekTsvFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile() && /\.log(\.\d+)?$/.test(d.name))
    .map((d) => join(d.parentPath, d.name))
    .filter((f) => /^#separator /m.test(readFileSync(f).subarray(0, 200).toString('latin1')))
    .sort();
}

describe('Zeek TSV conn logs through DuckDB (fast path)', () => {
  const tmp = tempDir();
  const dir = numberedDirs(tmp.path);
  const saved = process.env.DWELL_FAST_FORMATS;
  beforeAll(() => {
    process.env.DWELL_FAST_FORMATS = 'vpc_flow,zeek_tsv';
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.DWELL_FAST_FORMATS;
    else process.env.DWELL_FAST_FORMATS = saved;
    tmp.cleanup();
  });

  it('stores the fixtures exactly as the JS parser, and reads them with DuckDB', async () => {
    const { fast, js, files } = await ingestBoth(dir(), [FIXTURES]);
    expect(files.map((f) => [f.path.split('/').pop(), f.readBy, f.fastDeclined])).toEqual([
      ['conn-default.log', 'sql', undefined],
      ['conn-extensions.log', 'sql', undefined],
    ]);
    expect(fast.events.length).toBe(12);
    expect(fast.warnings.length).toBe(1); // the 1990 time: implausible
    expect(fast).toEqual(js);
  });

  it('stores every Zeek TSV file of the corpus and the attacks exactly as the JS parser', { timeout: 120_000 }, async (t) => {
    const files = [...zeekTsvFiles(join(SHARED, 'corpus')), ...zeekTsvFiles(join(SHARED, 'corpus-attacks'))];
    if (files.length === 0) {
      t.skip(`no ../shared/corpus here (${SHARED}): the corpus comparison did not run`);
      return;
    }
    const { fast, js, files: report } = await ingestBoth(dir(), files);
    const by = Object.fromEntries(report.map((f) => [f.path.slice(SHARED.length + 1), f.readBy]));
    // Relative (1970) times, non-conn logs, concatenated header blocks, other markers are the JS parser's.
    expect(Object.entries(by).filter(([, r]) => r === 'sql').map(([p]) => p)).toEqual([
      'corpus/netflow/lnav/logfile_bro_conn.log.0',
      'corpus/netflow/otrf-security-datasets/LSASS_campaign_01.metasploit_logonpasswords.conn.log',
      'corpus/netflow/otrf-security-datasets/LSASS_campaign_05.metasploit_sharpdump.conn.log',
      'corpus/netflow/zeek/zeek-cut-logs/conn.log',
      'corpus/netflow/zeek/zeek-cut-logs/conntimelast.log',
    ]);
    expect(report.length).toBeGreaterThanOrEqual(29);
    expect(fast).toEqual(js);
  });

  it('stores generated conn logs (plain, gzip, CRLF) exactly as the JS parser', { timeout: 120_000 }, async () => {
    const d = dir();
    const ev = join(d, 'evidence');
    mkdirSync(ev);
    const lines = [...header(), ...records(3_000), '#close\t2024-06-16-10-00-00'];
    writeFileSync(join(ev, 'a.conn.log'), lines.join('\n') + '\n');
    writeFileSync(join(ev, 'b.conn.log.gz'), gzipSync(lines.join('\n') + '\n'));
    writeFileSync(join(ev, 'c.conn.log'), lines.join('\r\n') + '\r\n');
    const { fast, js, files } = await ingestBoth(d, [ev]);
    expect(files.map((f) => [f.readBy, f.fastDeclined])).toEqual([['sql', undefined], ['sql', undefined], ['sql', undefined]]);
    expect(fast.events.length).toBe(9_000);
    expect(fast.events.filter((e) => e.time_quality === 'implausible').length).toBe(3 * 7);
    expect(fast.events.filter((e) => e.community_id === null).length).toBeGreaterThan(0);
    expect(fast).toEqual(js);
  });

  /** One file per guard: [name, text, the decline reason it must give]. */
  const good = records(40);
  const bad = (i: number, f: (fields: string[]) => void): string[] => {
    const out = [...good];
    const fields = out[i]!.split('\t');
    f(fields);
    out[i] = fields.join('\t');
    return out;
  };
  const guards: Array<[string, string, RegExp]> = [
    ['ipv6-long.log', [...header(), ...bad(5, (f) => ((f[2] = '2001:db8:0:0:0:0:0:1'), (f[4] = '2001:db8::2')))].join('\n') + '\n', /not canonical/],
    ['ipv6-zeros.log', [...header(), ...bad(5, (f) => ((f[2] = '2001:0db8::1'), (f[4] = '2001:db8::2')))].join('\n') + '\n', /not canonical/],
    ['ipv6-junk.log', [...header(), ...bad(5, (f) => ((f[2] = ':::'), (f[4] = '2001:db8::2')))].join('\n') + '\n', /not canonical/],
    ['ipv6-mixed.log', [...header(), ...bad(5, (f) => ((f[2] = '2001:db8::1'), (f[4] = '10.0.0.1')))].join('\n') + '\n', /not for the SQL path/],
    ['ipv6-upper.log', [...header(), ...bad(5, (f) => (f[4] = '2001:DB8::1'))].join('\n') + '\n', /not for the SQL path/],
    ['mapped.log', [...header(), ...bad(5, (f) => (f[4] = '::ffff:10.0.0.1'))].join('\n') + '\n', /not for the SQL path/],
    ['leading-zero.log', [...header(), ...bad(5, (f) => (f[2] = '10.0.0.01'))].join('\n') + '\n', /not for the SQL path/],
    ['relative.log', [...header(), ...bad(3, (f) => (f[0] = '19.981745'))].join('\n') + '\n', /not for the SQL path/],
    ['ms-epoch.log', [...header(), ...bad(3, (f) => (f[0] = '1718530010118'))].join('\n') + '\n', /not for the SQL path/],
    ['unset-ts.log', [...header(), ...bad(3, (f) => (f[0] = '-'))].join('\n') + '\n', /not for the SQL path/],
    ['escape.log', [...header(), ...bad(3, (f) => (f[15] = 'Sh\\x09AD'))].join('\n') + '\n', /not for the SQL path/],
    ['quote.log', [...header(), ...bad(3, (f) => (f[1] = 'C"x'))].join('\n') + '\n', /not for the SQL path/],
    ['port.log', [...header(), ...bad(3, (f) => (f[3] = '70000'))].join('\n') + '\n', /not for the SQL path/],
    ['count.log', [...header(), ...bad(3, (f) => (f[9] = '-5'))].join('\n') + '\n', /not for the SQL path/],
    ['number-zero.log', [...header(), ...bad(3, (f) => (f[14] = '007'))].join('\n') + '\n', /not for the SQL path/],
    ['fields.log', [...header(), ...bad(3, (f) => f.pop())].join('\n') + '\n', /not for the SQL path/],
    ['empty-role.log', [...header(), ...bad(3, (f) => (f[11] = ''))].join('\n') + '\n', /not for the SQL path/],
    ['proto.log', [...header(), ...bad(3, (f) => (f[6] = 'TCP'))].join('\n') + '\n', /not for the SQL path/],
    ['second-header.log', [...header(), ...good.slice(0, 10), ...header(FIELDS.slice(0, -1), TYPES.slice(0, -1)), ...good.slice(10).map((l) => l.split('\t').slice(0, -1).join('\t'))].join('\n') + '\n', /Zeek header line after the first record/],
    ['late-path.log', [...header(), ...good.slice(0, 10), '#path\tdns', ...good.slice(10)].join('\n') + '\n', /Zeek header line after the first record/],
    ['dns.log', [...header(undefined, undefined, { path: '#path\tdns' }).slice(0, 6), '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tquery\trcode_name', '#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tstring', '1718530010.1\tC1\t10.0.0.1\t5353\t10.0.0.2\t53\tudp\texample.com\tNOERROR'].join('\n') + '\n', /not a conn log/],
    ['unset-marker.log', [...header(undefined, undefined, { unset: '#unset_field\tNULL' }), ...good].join('\n') + '\n', /unset-field marker/],
    ['comma.log', ['#separator ,', ...good.map((l) => l.replace(/\t/g, ','))].join('\n') + '\n', /separator other than/],
    ['bare-cr.log', [...header(), ...good.slice(0, 5), good[5] + '\r' + good[6], ...good.slice(7)].join('\n') + '\n', /carriage return|DuckDB/],
    ['mixed-crlf.log', [...header(), ...good].join('\r\n').replace(/\r\n(?=1718)/, '\n') + '\r\n', /mix CRLF|DuckDB/],
    ['nul.log', [...header(), ...bad(3, (f) => (f[15] = 'Sh\0AD'))].join('\n') + '\n', /NUL bytes|not for the SQL path/],
    ['cid-differs.log', [...header([...FIELDS, 'community_id'], [...TYPES, 'string']), ...good.map((l, i) => `${l}\t${i === 1 ? '1:AAAAAAAAAAAAAAAAAAAAAAAAAAA=' : '-'}`)].join('\n') + '\n', /not for the SQL path/],
    ['collision.log', [...header([...FIELDS, 'conn_state'], [...TYPES, 'string']), ...good.map((l) => `${l}\tXX`)].join('\n') + '\n', /would not be stored/],
    ['indented.log', [...header(), ...good.slice(0, 4), ` ${good[4]}`, ...good.slice(5)].join('\n') + '\n', /not for the SQL path/],
  ];

  it('declines each file the SQL cannot store exactly, and the JS parser stores it the same', { timeout: 180_000 }, async () => {
    const d = dir();
    const ev = join(d, 'evidence');
    mkdirSync(ev);
    for (const [name, text] of guards) writeFileSync(join(ev, name), text);
    writeFileSync(join(ev, 'invalid-utf8.log'), Buffer.concat([Buffer.from([...header(), ...good.slice(0, 3)].join('\n') + '\n'), Buffer.from(good[3]!.replace('ShADadFf', 'Sh\xffAD'), 'latin1'), Buffer.from('\n' + good.slice(4).join('\n') + '\n')]));
    const { fast, js, files } = await ingestBoth(d, [ev]);
    const why = Object.fromEntries(files.map((f) => [f.path.split('/').pop()!, [f.readBy, f.fastDeclined ?? '']]));
    for (const [name, , reason] of guards) {
      expect(why[name]?.[0], name).toBe('js');
      expect(why[name]?.[1], name).toMatch(reason);
    }
    expect(why['invalid-utf8.log']?.[0]).toBe('js');
    expect(fast).toEqual(js);
  });

  it('a control file among the guards is read by DuckDB (the guards are not declining everything)', async () => {
    const d = dir();
    const ev = join(d, 'evidence');
    mkdirSync(ev);
    writeFileSync(join(ev, 'control.log'), [...header(), ...good, '#close\t2024-06-16-10-00-00'].join('\n') + '\n');
    const { fast, js, files } = await ingestBoth(d, [ev]);
    expect(files.map((f) => [f.readBy, f.fastDeclined])).toEqual([['sql', undefined]]);
    expect(fast).toEqual(js);
  });

  it('reads Zeek conn logs with DuckDB by default, and not when DWELL_FAST_FORMATS leaves zeek_tsv out', async () => {
    try {
      delete process.env.DWELL_FAST_FORMATS;
      const on = await ingestBoth(dir(), [join(FIXTURES, 'conn-default.log')]);
      expect(on.files.map((f) => [f.readBy, f.fastDeclined])).toEqual([['sql', undefined]]);
      expect(on.fast).toEqual(on.js);
      process.env.DWELL_FAST_FORMATS = 'vpc_flow';
      const off = await ingestBoth(dir(), [join(FIXTURES, 'conn-default.log')]);
      expect(off.files.map((f) => [f.readBy, f.fastDeclined])).toEqual([['js', 'format zeek_tsv has no SQL path enabled (DWELL_FAST_FORMATS)']]);
    } finally {
      process.env.DWELL_FAST_FORMATS = 'vpc_flow,zeek_tsv';
    }
  });
});
