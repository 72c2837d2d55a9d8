/**
 * Conformance over the Zeek logs of the real attack cases in ../shared/corpus-attacks, through the
 * built CLI: every record ingested (no record-level warning), headers repeated mid-file read,
 * relative (1970) captures marked `relative` with one file-level notice, and the application logs
 * in the event vocabulary — each checked against the raw record read here with plain string
 * splitting, and against what each case's NARRATIVE.md states.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query } from '../helpers/case.js';
import { dwell, ROOT, tempDir } from '../helpers/cli.js';
import { listFiles } from '../helpers/corpus.js';

const ATTACKS = resolve(ROOT, '..', 'shared', 'corpus-attacks');
const present = existsSync(ATTACKS);
if (!present) console.warn(`conformance: ${ATTACKS} is absent; the Zeek attack-case tests are skipped`);

interface Ev {
  path: string;
  line: number;
  ts_us: number;
  time_quality: string;
  class: string;
  action: string;
  outcome: string;
  src_ip: string | null;
  src_port: number | null;
  dst_ip: string | null;
  dst_port: number | null;
  protocol: string | null;
  target: string | null;
  attrs: string;
  raw: string;
}

/** Zeek TSV records of a file with the #fields in force for each (headers may repeat mid-file). */
function records(path: string): Array<{ line: number; col: (name: string) => string | undefined }> {
  const out: Array<{ line: number; col: (name: string) => string | undefined }> = [];
  let fields: string[] = [];
  readFileSync(path, 'utf8').split('\n').forEach((l, i) => {
    if (l.startsWith('#fields\t')) fields = l.split('\t').slice(1);
    if (l === '' || l.startsWith('#')) return;
    const f = l.split('\t');
    const names = fields;
    out.push({ line: i + 1, col: (name) => f[names.indexOf(name)] });
  });
  return out;
}

const num = (s: string | undefined) => (s === undefined || s === '-' ? null : Number(s));
const orNull = (s: string | undefined) => (s === undefined || s === '-' ? null : s);

describe.skipIf(!present)('Zeek logs of the attack cases', () => {
  const tmp = tempDir();
  const casePath = join(tmp.path, 'attacks.duckdb');
  let files: string[] = [];
  let events: Ev[] = [];
  let stderr = '';
  const of = (suffix: string) => events.filter((e) => e.path.endsWith(suffix)).sort((a, b) => a.line - b.line);

  beforeAll(async () => {
    files = listFiles(ATTACKS).filter((p) => /zeek/.test(p) && /\/(labeled-)?(conn|dns|http|ssh|notice)\.log$/.test(p));
    const r = await dwell(['ingest', '--case', casePath, ...files]);
    stderr = r.stderr;
    expect(r.code, r.stderr).toBe(0);
    events = await query<Ev>(
      casePath,
      `SELECT v.path, e.line::INTEGER AS line, epoch_us(ts)::DOUBLE AS ts_us, time_quality, class, action, outcome, src_ip, src_port, dst_ip, dst_port,
              protocol, target, attrs::VARCHAR AS attrs, raw
       FROM events e JOIN evidence v USING (evidence_id)`,
    );
  });
  afterAll(() => tmp.cleanup());

  it('ingests every record of every Zeek file: no record-level warning, only the relative-time notice of the 1970 captures', async () => {
    expect(files.length).toBe(8);
    const rows = await query<{ path: string; format: string; events: number; warnings: number; info: string }>(
      casePath, `SELECT path, format, events::INTEGER AS events, warnings::INTEGER AS warnings, info::VARCHAR AS info FROM evidence ORDER BY path`,
    );
    for (const r of rows) {
      expect(r.format, r.path).toBe('zeek_tsv');
      expect(r.events, r.path).toBe(records(r.path).length);
      const relative = r.path.includes('/ctu-');
      expect(r.warnings, r.path).toBe(relative ? 1 : 0);
      if (relative) expect(JSON.parse(r.info).relative_time_records, r.path).toBe(r.events);
    }
    const w = await query<{ path: string; line: number; reason: string }>(casePath, `SELECT path, line::INTEGER AS line, reason FROM parse_warnings JOIN evidence USING (evidence_id)`);
    for (const x of w) expect(x.reason, `${x.path}:${x.line}`).toMatch(/^\d+ record\(s\) with a relative time \(lines \d+–\d+\); the first: ts [\d.]+ is in 1970/);
    // The ingest report says how many and where.
    expect(stderr).toMatch(/992 record\(s\) with a relative time \(lines 9–1000\)/);
  });

  it('marks the CTU captures (relative ts) relative and the honeypot’s (real dates) exact', () => {
    for (const e of events) expect(e.time_quality, `${e.path}:${e.line}`).toBe(e.path.includes('/ctu-') ? 'relative' : 'exact');
  });

  it('stores each record’s time and endpoints as written, across the three header blocks of the honeypot’s conn.log', () => {
    let n = 0;
    for (const path of files) {
      const byLine = new Map(of(path).map((e) => [e.line, e]));
      for (const r of records(path)) {
        const e = byLine.get(r.line)!;
        const at = `${basename(path)}:${r.line}`;
        expect(e, at).toBeDefined();
        expect(e.ts_us, at).toBe(Math.round(Number(r.col('ts')) * 1e6));
        expect(e.src_ip, at).toBe(orNull(r.col('id.orig_h')));
        expect(e.src_port, at).toBe(num(r.col('id.orig_p')));
        expect(e.dst_ip, at).toBe(orNull(r.col('id.resp_h')));
        expect(e.dst_port, at).toBe(num(r.col('id.resp_p')));
        n++;
      }
    }
    expect(n).toBe(5 * 992 + 253 + 248 + 232);
    const conn = readFileSync(files.find((p) => p.includes('dshield') && p.endsWith('conn.log'))!, 'utf8');
    expect(conn.split('\n').filter((l) => l.startsWith('#fields')).length).toBe(3);
  });

  it('reads the honeypot’s ssh.log as auth_log’s vocabulary: the 8 auth_success=T rows are ssh_login from 138.197.148.152 on the source ports NARRATIVE.md lists', () => {
    const ssh = of('dshield-honeypot-ssh-bruteforce/zeek/ssh.log');
    const ok = ssh.filter((e) => e.action === 'ssh_login');
    expect(ok.every((e) => e.class === 'authentication' && e.outcome === 'success' && e.src_ip === '138.197.148.152' && e.dst_port === 2222 && e.protocol === 'ssh')).toBe(true);
    expect(ok.map((e) => e.src_port).sort()).toEqual([35088, 35446, 41690, 42122, 42370, 42848, 45984, 46590]);
    // auth_success unset: Zeek could not tell; no login is claimed.
    const unknown = ssh.filter((e) => e.action === 'ssh_connection');
    expect(unknown).toHaveLength(240);
    expect(unknown.every((e) => e.outcome === 'unknown' && JSON.parse(e.attrs).user_visible === false)).toBe(true);
    for (const e of ssh) expect(e.action === 'ssh_login', `${e.line}`).toBe(records(e.path).find((r) => r.line === e.line)!.col('auth_success') === 'T');
  });

  it('reads notice.log as ids_alert events, dns.log as dns_query and http.log as http_request, with outcomes from their answers', () => {
    const notices = of('zeek/notice.log');
    expect(notices).toHaveLength(232);
    expect(notices.every((e) => e.action === 'ids_alert' && JSON.parse(e.attrs).note === 'ProtocolDetector::Protocol_Found')).toBe(true);

    const dns = of('ctu-355-1-simda-dga-zeek/dns.log');
    const dnsRows = new Map(records(dns[0]!.path).map((r) => [r.line, r]));
    for (const e of dns) {
      const r = dnsRows.get(e.line)!;
      const rcode = orNull(r.col('rcode_name'));
      expect(e.action).toBe('dns_query');
      expect(e.target, `dns.log:${e.line}`).toBe(orNull(r.col('query')));
      expect(e.outcome, `dns.log:${e.line}`).toBe(rcode === null ? 'unknown' : rcode === 'NOERROR' ? 'success' : 'failure');
    }
    // NARRATIVE.md: 129 NXDOMAIN answers for 129 distinct names.
    const nx = dns.filter((e) => JSON.parse(e.attrs).rcode_name === 'NXDOMAIN');
    expect(nx).toHaveLength(129);
    expect(new Set(nx.map((e) => e.target)).size).toBe(129);

    const http = of('ctu-355-1-simda-dga-zeek/http.log');
    const httpRows = new Map(records(http[0]!.path).map((r) => [r.line, r]));
    for (const e of http) {
      const r = httpRows.get(e.line)!;
      const status = num(r.col('status_code'));
      expect(e.action).toBe('http_request');
      expect(e.target, `http.log:${e.line}`).toBe(`http://${r.col('host')}${e.dst_port === 80 ? '' : `:${e.dst_port}`}${r.col('uri')}`);
      expect(e.outcome, `http.log:${e.line}`).toBe(status === null ? 'unknown' : status < 400 ? 'success' : 'failure');
    }
    // NARRATIVE.md: all 992 requests from 192.168.1.116, 977 of them GET /login.php.
    expect(http.every((e) => e.src_ip === '192.168.1.116')).toBe(true);
    expect(http.filter((e) => e.target!.endsWith('/login.php'))).toHaveLength(977);
  });
});
