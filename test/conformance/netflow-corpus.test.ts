/**
 * Conformance over every real sample in ../shared/corpus/netflow, through the built CLI: no crash,
 * every line accounted for, the origins' expected outputs matched field by field (Elastic's VPC
 * expected JSON, Zeek's btest baselines), and every stored flow checked against its raw record read
 * independently of the parsers (here, with plain string splitting).
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zeekTsv } from '../../src/parsers/zeek-tsv.js';
import { query } from '../helpers/case.js';
import { dwell, tempDir } from '../helpers/cli.js';
import { corpusDir, isCorpusMeta, listFiles } from '../helpers/corpus.js';
import { runParser } from '../helpers/run-parser.js';

const dir = corpusDir('netflow');

/** Zeek btest baselines of JSON logs whose records carry nothing that marks them as Zeek (a lone `t`). */
const NOT_FLOW_LOGS = /ascii-json(-iso-timestamps)?\.ssh\.log$/;

interface Ev {
  path: string;
  line: number;
  ts_us: number;
  ts_end_us: number | null;
  action: string;
  outcome: string;
  host: string | null;
  src_ip: string | null;
  src_port: number | null;
  dst_ip: string | null;
  dst_port: number | null;
  protocol: string | null;
  bytes_in: number | null;
  bytes_out: number | null;
  packets_in: number | null;
  packets_out: number | null;
  community_id: string | null;
  attrs: string | null;
  raw: string;
}

const num = (s: string | undefined) => (s === undefined || s === '-' || s === '' ? null : Number(s));

describe.skipIf(!dir)('netflow corpus conformance', () => {
  const tmp = tempDir();
  const casePath = join(tmp.path, 'corpus.duckdb');
  let result: Awaited<ReturnType<typeof dwell>>;
  let events: Ev[] = [];
  const byFile = (suffix: string) => events.filter((e) => e.path.endsWith(suffix)).sort((a, b) => a.line - b.line);

  beforeAll(async () => {
    result = await dwell(['ingest', '-q', '--case', casePath, dir!]);
    events = await query<Ev>(
      casePath,
      `SELECT v.path, e.line::INTEGER AS line, epoch_us(ts)::DOUBLE AS ts_us, epoch_us(ts_end)::DOUBLE AS ts_end_us, action, outcome, host,
              src_ip, src_port, dst_ip, dst_port, protocol, bytes_in::DOUBLE AS bytes_in, bytes_out::DOUBLE AS bytes_out,
              packets_in::DOUBLE AS packets_in, packets_out::DOUBLE AS packets_out, community_id, attrs::VARCHAR AS attrs, raw
       FROM events e JOIN evidence v USING (evidence_id)`,
    );
  });
  afterAll(() => tmp.cleanup());

  it('ingests every flow sample; documentation and expected-output files are reported unrecognized', async () => {
    expect(result.stderr).not.toMatch(/TypeError|RangeError|at .*\.js:\d+/);
    const rows = await query<{ path: string; status: string; format: string | null }>(casePath, 'SELECT path, status, format FROM evidence ORDER BY path');
    expect(rows).toHaveLength(listFiles(dir!).length);
    for (const r of rows) {
      if (isCorpusMeta(basename(r.path)) || NOT_FLOW_LOGS.test(r.path)) expect(r.status, r.path).toBe('unrecognized');
      else expect(r.status, r.path).toBe('ingested');
    }
    expect(result.code).toBe(3);
    const formats = Object.fromEntries(rows.filter((r) => r.format).map((r) => [r.path.slice(dir!.length + 1), r.format]));
    expect(formats).toMatchObject({
      'elastic-integrations/test-tgw-samples.log': 'vpc_flow',
      'elastic-integrations/zeek-test-conn.log': 'zeek_json',
      'elastic-integrations/suricata-test-eve-6-0.log': 'suricata_eve',
      'stratosphere-slips/test1-malicious.nfdump.csv': 'nfdump_csv',
      'stratosphere-slips/test5-mixed.binetflow': 'argus_flow',
      'stratosphere-slips/test10-mixed-zeek-dir__conn.log': 'zeek_tsv',
      'lnav/logfile_bro_conn.log.0': 'zeek_tsv',
    });
  });

  it('accounts for every line of every sample, and every event and warning is in the case', async () => {
    const rows = await query<{ path: string; lines: number; r: number; c: number; m: number; b: number; w: number; events: number; warnings: number; stored: number }>(
      casePath,
      `SELECT path, lines, record_lines r, continuation_lines c, meta_lines m, blank_lines b, warning_lines w, events, warnings,
              (SELECT count(*) FROM parse_warnings p WHERE p.evidence_id = v.evidence_id)::INTEGER AS stored
       FROM evidence v WHERE status = 'ingested'`,
    );
    for (const r of rows) {
      expect(r.r + r.c + r.m + r.b + r.w, r.path).toBe(r.lines);
      expect(r.events, r.path).toBe(r.r);
      expect(r.stored, r.path).toBe(r.warnings);
      // A warning line is kept in parse_warnings with its text.
      expect(r.warnings, r.path).toBeGreaterThanOrEqual(r.w);
    }
    const [{ n }] = await query<{ n: number }>(casePath, 'SELECT count(*)::INTEGER AS n FROM events');
    expect(n).toBe(events.length);
  });

  it('matches Elastic’s expected output for the VPC v5 all-fields and v8 samples field by field', () => {
    for (const name of ['test-v5-all-fields.log', 'test-v8-samples.log']) {
      const expected = (JSON.parse(readFileSync(join(dir!, 'elastic-integrations', `${name}-expected.json`), 'utf8')) as { expected: any[] }).expected;
      const got = byFile(`/${name}`);
      expect(got).toHaveLength(expected.length);
      expected.forEach((x, i) => {
        const e = got[i]!;
        const at = `${name}:${e.line}`;
        const attrs = JSON.parse(e.attrs ?? '{}');
        expect(e.src_ip, at).toBe(x.source.ip);
        expect(e.src_port, at).toBe(x.source.port);
        expect(e.dst_ip, at).toBe(x.destination.ip);
        expect(e.dst_port, at).toBe(x.destination.port);
        expect(e.bytes_out, at).toBe(x.source.bytes);
        expect(e.packets_out, at).toBe(x.source.packets);
        expect(e.protocol, at).toBe(x.network.transport);
        expect(new Date(e.ts_us / 1000).toISOString(), at).toBe(x.event.start);
        expect(new Date(e.ts_end_us! / 1000).toISOString(), at).toBe(x.event.end);
        expect(attrs.action, at).toBe(x.aws.vpcflow.action);
        expect(attrs.log_status, at).toBe(x.aws.vpcflow.log_status);
        expect(e.outcome, at).toBe(x.event.outcome);
        expect(e.community_id, at).toBe(x.network.community_id);
        expect(attrs.flow_direction, at).toBe(x.network.direction);
        if (x.aws.vpcflow.instance_id) expect(e.host, at).toBe(x.aws.vpcflow.instance_id);
      });
    }
  });

  it('matches Zeek’s btest baselines column by column (placeholder times replaced, since btest canonicalises them)', async () => {
    const baselines = listFiles(join(dir!, 'zeek', 'btest-baseline')).filter((p) => p.endsWith('.conn.log'));
    expect(baselines.length).toBe(6);
    let rows = 0;
    for (const path of baselines) {
      const text = readFileSync(path, 'utf8');
      // Through the CLI every record is a warning with its line: XXXXXXXXXX.XXXXXX is not a time.
      const [{ w }] = await query<{ w: number }>(casePath, `SELECT warning_lines::INTEGER AS w FROM evidence WHERE path = $p`, { p: path });
      const recordLines = text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
      expect(w, path).toBe(recordLines.length);

      let n = 0;
      const dated = text.replace(/XXXXXXXXXX\.XXXXXX/g, () => `1600000000.${String(++n).padStart(6, '0')}`);
      const run = await runParser(zeekTsv, dated);
      expect(run.warnings, path).toEqual([]);
      const lines = dated.split('\n');
      let fields: string[] = [];
      const byLine = new Map(run.events.map((e) => [e.line, e]));
      lines.forEach((l, i) => {
        if (l.startsWith('#fields\t')) fields = l.split('\t').slice(1);
        if (l === '' || l.startsWith('#')) return;
        const f = l.split('\t');
        const col = (...names: string[]) => f[fields.findIndex((x) => names.includes(x))];
        const e = byLine.get(i + 1)!;
        const at = `${basename(path)}:${i + 1}`;
        expect(e, at).toBeDefined();
        expect(e.src_ip, at).toBe(col('id.orig_h', 'src'));
        expect(e.src_port, at).toBe(num(col('id.orig_p', 'src_port')));
        expect(e.dst_ip, at).toBe(col('id.resp_h', 'dst'));
        expect(e.dst_port, at).toBe(num(col('id.resp_p', 'dst_port')));
        expect(e.bytes_out, at).toBe(num(col('orig_bytes')));
        expect(e.bytes_in, at).toBe(num(col('resp_bytes')));
        expect(e.packets_out, at).toBe(num(col('orig_pkts')));
        expect(e.packets_in, at).toBe(num(col('resp_pkts')));
        expect(e.attrs!.conn_state, at).toBe(col('conn_state'));
        expect(e.ts, at).toBe(Math.round(Number(col('ts')) * 1e6));
        const d = num(col('duration'));
        expect(e.ts_end ?? null, at).toBe(d === null ? null : e.ts + Math.round(d * 1e6));
        if (col('_system_name')) expect(e.host, at).toBe(col('_system_name'));
        rows++;
      });
    }
    expect(rows).toBeGreaterThan(150);
  });

  it('stores each Zeek TSV conn record’s fields as written (lnav, OTRF, Stratosphere, zeek-cut logs)', () => {
    const files = [...new Set(events.filter((e) => e.action === 'flow' && !e.raw.startsWith('{') && /conn|bro_conn/.test(e.path) && !e.path.includes('btest')).map((e) => e.path))];
    expect(files.length).toBeGreaterThanOrEqual(8);
    let checked = 0;
    for (const path of files) {
      const text = readFileSync(path, 'utf8');
      const sep = /^\s*#separator ,/m.test(text) ? ',' : '\t';
      const header = text.split('\n').find((l) => l.startsWith(`#fields${sep}`)) ?? text.split('\n')[0]!;
      const fields = header.replace(/^#fields./, '').split(sep);
      for (const e of byFile(path)) {
        const f = e.raw.split(sep);
        const col = (name: string) => f[fields.indexOf(name)];
        expect(e.src_ip, `${path}:${e.line}`).toBe(col('id.orig_h'));
        expect(e.dst_port, `${path}:${e.line}`).toBe(num(col('id.resp_p')));
        expect(e.bytes_out, `${path}:${e.line}`).toBe(num(col('orig_bytes')));
        expect(e.bytes_in, `${path}:${e.line}`).toBe(num(col('resp_bytes')));
        expect(e.packets_out, `${path}:${e.line}`).toBe(num(col('orig_pkts')));
        expect(e.packets_in, `${path}:${e.line}`).toBe(num(col('resp_pkts')));
        expect(JSON.parse(e.attrs!).conn_state).toBe(col('conn_state'));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1200);
  });

  it('stores each Zeek JSON conn record as written (Elastic, Stratosphere)', () => {
    const zeekJson = events.filter((e) => e.raw.startsWith('{') && e.raw.includes('"uid"'));
    expect(zeekJson.length).toBe(18 + 50 + 5 + 576);
    for (const e of zeekJson) {
      const r = JSON.parse(e.raw);
      const at = `${e.path}:${e.line}`;
      expect(e.src_ip, at).toBe(r['id.orig_h']);
      expect(e.src_port, at).toBe(r['id.orig_p']);
      expect(e.dst_ip, at).toBe(r['id.resp_h']);
      expect(e.dst_port, at).toBe(r['id.resp_p']);
      expect(e.bytes_out, at).toBe(r.orig_bytes ?? null);
      expect(e.bytes_in, at).toBe(r.resp_bytes ?? null);
      expect(e.packets_out, at).toBe(r.orig_pkts ?? null);
      expect(e.packets_in, at).toBe(r.resp_pkts ?? null);
      const ts = typeof r.ts === 'number' ? Math.round(r.ts * 1e6) : Date.parse(r.ts) * 1000 + Number(r.ts.slice(23, 26));
      expect(e.ts_us, at).toBe(ts);
      if (r.duration !== undefined) expect(e.ts_end_us! - e.ts_us, at).toBe(Math.round(r.duration * 1e6));
    }
    // Relative-time captures are kept, dated 1970, and flagged.
    const relative = byFile('test9-mixed-zeek-dir__conn.log');
    expect(relative.every((e) => e.ts_us < 365 * 86400e6 && JSON.parse(e.attrs!).relative_time === true)).toBe(true);
  });

  it('keeps every Suricata event type and stores flow counters and times as written', async () => {
    const eve = events.filter((e) => e.path.endsWith('.suricata.json') || e.path.endsWith('suricata-test-eve-6-0.log'));
    const byType = new Map<string, number>();
    for (const e of eve) {
      const r = JSON.parse(e.raw);
      byType.set(r.event_type, (byType.get(r.event_type) ?? 0) + 1);
      const at = `${e.path}:${e.line}`;
      expect(e.src_ip, at).toBe(r.src_ip);
      expect(e.dst_port, at).toBe(r.dest_port ?? null);
      if (r.event_type === 'flow') {
        expect(e.action, at).toBe('flow');
        expect(e.bytes_out, at).toBe(r.flow.bytes_toserver);
        expect(e.bytes_in, at).toBe(r.flow.bytes_toclient);
        expect(e.packets_out, at).toBe(r.flow.pkts_toserver);
        expect(e.packets_in, at).toBe(r.flow.pkts_toclient);
        expect(Math.floor(e.ts_us / 1000), at).toBe(Math.floor(Date.parse(r.flow.start.replace(/(\d\d)(\d\d)$/, '$1:$2'))));
        expect(Math.floor(e.ts_end_us! / 1000), at).toBe(Math.floor(Date.parse(r.flow.end.replace(/(\d\d)(\d\d)$/, '$1:$2'))));
      } else if (r.event_type === 'alert') expect(e.action, at).toBe('ids_alert');
      else expect(e.action, at).toBe(`suricata_${r.event_type}`);
    }
    expect(Object.fromEntries(byType)).toEqual({ flow: 3514, alert: 746, dns: 680, http: 56, fileinfo: 3, anomaly: 3, tls: 1 });
  });

  it('stores nfdump flows whose totals equal nfdump’s own Summary block', async () => {
    const [{ info }] = await query<{ info: string }>(casePath, `SELECT info::VARCHAR AS info FROM evidence WHERE path LIKE '%nfdump.csv'`);
    const summary = JSON.parse(info).nfdump_summary;
    expect(summary).toMatchObject({ flows: 4593, bytes: 241025, packets: 4652 });
    const flows = byFile('test1-malicious.nfdump.csv');
    expect(flows).toHaveLength(summary.flows);
    expect(flows.reduce((s, e) => s + e.bytes_out!, 0)).toBe(summary.bytes);
    expect(flows.reduce((s, e) => s + e.packets_out!, 0)).toBe(summary.packets);
    expect(new Date(flows[0]!.ts_us / 1000).toISOString()).toBe('2018-01-12T15:37:30.000Z');
  });

  it('stores Argus flows as written: source counters out, total minus source in (comma and TAB files)', () => {
    const argus = events.filter((e) => e.path.endsWith('.binetflow'));
    expect(argus.length).toBe(66 + 89 + 394 + 300);
    for (const e of argus) {
      const sep = e.raw.includes('\t') ? '\t' : ',';
      const header = readFileSync(e.path, 'utf8').split('\n')[0]!.split(sep);
      const f = e.raw.split(sep);
      const col = (n: string) => (header.indexOf(n) >= 0 ? f[header.indexOf(n)]!.trim() : undefined);
      const at = `${e.path}:${e.line}`;
      expect(e.bytes_out, at).toBe(num(col('SrcBytes')));
      expect(e.bytes_in, at).toBe(num(col('TotBytes'))! - num(col('SrcBytes'))!);
      if (col('SrcPkts') !== undefined) expect(e.packets_out, at).toBe(num(col('SrcPkts')));
      const src = col('SrcAddr')!;
      expect(e.src_ip ?? JSON.parse(e.attrs!).src_addr, at).toBe(src === '' ? undefined : src);
      const start = col('StartTime')!.replace(/\//g, '-').replace(' ', 'T');
      expect(e.ts_us, at).toBe(Date.parse(start.slice(0, 19) + 'Z') * 1000 + Number(start.slice(20, 26)));
    }
  });

  it('stores each VPC and Transit Gateway record as written (default, custom-header, ECS and TGW samples)', () => {
    const vpc = events.filter((e) => /elastic-integrations\/test-(extra|ecs|tgw|tcp-flag|v5|v8)/.test(e.path));
    expect(vpc).toHaveLength(7 + 10 + 10 + 3 + 1 + 1);
    for (const e of vpc) {
      const f = e.raw.split(' ');
      const tgw = f[3]!.startsWith('tgw-');
      const at = `${e.path}:${e.line}`;
      const header = readFileSync(e.path, 'utf8').split('\n')[0]!;
      const fields = header.startsWith('version ') ? header.split(' ') : tgw ? null : ['version', 'account-id', 'interface-id', 'srcaddr', 'dstaddr', 'srcport', 'dstport', 'protocol', 'packets', 'bytes', 'start', 'end', 'action', 'log-status'];
      const col = (n: string, tgwIndex: number) => f[fields ? fields.indexOf(n) : tgwIndex];
      expect(e.src_ip, at).toBe(num(col('srcaddr', 16)) === null ? null : col('srcaddr', 16));
      expect(e.dst_port, at).toBe(num(col('dstport', 19)));
      expect(e.packets_out, at).toBe(num(col('packets', 21)));
      expect(e.bytes_out, at).toBe(num(col('bytes', 22)));
      expect(e.ts_us, at).toBe(Number(col('start', 23)) * 1e6);
      expect(e.ts_end_us, at).toBe(Number(col('end', 24)) * 1e6);
      const status = col('log-status', 25);
      expect(e.action, at).toBe(status === 'NODATA' ? 'flow_log_nodata' : status === 'SKIPDATA' ? 'flow_log_skipdata' : 'flow');
    }
  });
});
