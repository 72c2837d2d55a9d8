#!/usr/bin/env node
/**
 * Format variants benchmark (issue 13): the cost of each parser on its native format and on the
 * variants it now reads, parser alone (line split + parse, events counted and dropped), so a variant
 * path that costs every record something shows here and not in the noise of an ingest.
 *
 *   node bench/formats.mjs                          # 200,000 records per input, 3 runs, this dist/
 *   node bench/formats.mjs --records 500000 --runs 5 --dist /tmp/old/dist   # another build (before/after)
 *   options: --records N  --runs R  --dist DIR  --only zeek-json-native,csvlog-native,…
 *
 * Inputs are generated in memory (seeded): Zeek conn JSON (native dotted keys, with platform fields,
 * wrapped in a shipper's `message`), Zeek conn TSV, PostgreSQL csvlog (as PostgreSQL writes it and
 * every field quoted), journald JSON. Prints records/s per input (median of the runs).
 */
import { Readable } from 'node:stream';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rng } from './lib/rng.mjs';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

function args(argv) {
  const o = { records: 200_000, runs: 3, dist: join(ROOT, 'dist'), only: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--records') o.records = Number(argv[++i]);
    else if (a === '--runs') o.runs = Number(argv[++i]);
    else if (a === '--dist') o.dist = resolve(argv[++i]);
    else if (a === '--only') o.only = argv[++i].split(',');
  }
  return o;
}

function conn(r, i) {
  const ts = 1767320400 + i * 0.01;
  return {
    ts: Number(ts.toFixed(6)), uid: `C${(i * 7919).toString(36).padStart(12, 'x')}`, 'id.orig_h': `10.0.${i % 16}.${(i * 37) % 250 + 2}`,
    'id.orig_p': 32768 + Math.floor(r() * 28000), 'id.resp_h': `198.51.100.${(i % 200) + 1}`, 'id.resp_p': [443, 80, 22, 53][i % 4], proto: i % 4 === 3 ? 'udp' : 'tcp',
    service: 'ssl', duration: Number((r() * 60).toFixed(6)), orig_bytes: Math.floor(r() * 1e6), resp_bytes: Math.floor(r() * 1e6), conn_state: 'SF',
    local_orig: true, local_resp: false, missed_bytes: 0, history: 'ShADadFf', orig_pkts: 20, orig_ip_bytes: 2000, resp_pkts: 30, resp_ip_bytes: 3000,
  };
}

const INPUTS = {
  'zeek-json-native': { parser: 'zeek-json.js', name: 'zeekJson', line: (r, i) => JSON.stringify(conn(r, i)) },
  'zeek-json-platform': { parser: 'zeek-json.js', name: 'zeekJson', line: (r, i) => JSON.stringify({ _path: 'conn', _system_name: 'sensor-1', _write_ts: '2026-01-02T02:20:00.000000Z', ...conn(r, i) }) },
  'zeek-json-wrapped': { parser: 'zeek-json.js', name: 'zeekJson', line: (r, i) => JSON.stringify({ '@timestamp': '2026-01-02T02:20:00.000Z', message: JSON.stringify(conn(r, i)), log: { file: { path: '/nsm/zeek/conn.log' } }, host: { name: 'so-1' } }) },
  'zeek-tsv': {
    parser: 'zeek-tsv.js', name: 'zeekTsv',
    head: '#separator \\x09\n#path\tconn\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tduration\torig_bytes\tresp_bytes\tconn_state\torig_pkts\tresp_pkts\n#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tinterval\tcount\tcount\tstring\tcount\tcount',
    line: (r, i) => { const c = conn(r, i); return [c.ts.toFixed(6), c.uid, c['id.orig_h'], c['id.orig_p'], c['id.resp_h'], c['id.resp_p'], c.proto, c.duration, c.orig_bytes, c.resp_bytes, c.conn_state, c.orig_pkts, c.resp_pkts].join('\t'); },
  },
  'csvlog-native': {
    parser: 'postgres-csvlog.js', name: 'postgresCsvlog',
    line: (r, i) => `2026-01-02 02:30:${String(i % 60).padStart(2, '0')}.120 UTC,"app","shop",${4000 + (i % 50)},"10.0.1.${i % 200}:40210",6957a1b6.${(i % 50).toString(16)},${i},"SELECT",2026-01-02 02:29:58 UTC,3/${i},0,LOG,00000,"statement: SELECT * FROM t${i % 30} WHERE id = ${i}",,,,,,,,,"psql","client backend",,0`,
  },
  'csvlog-quote-all': {
    parser: 'postgres-csvlog.js', name: 'postgresCsvlog',
    line: (r, i) => `"2026-01-02 02:30:${String(i % 60).padStart(2, '0')}.120 UTC","app","shop","${4000 + (i % 50)}","10.0.1.${i % 200}:40210","6957a1b6.${(i % 50).toString(16)}","${i}","SELECT","2026-01-02 02:29:58 UTC","3/${i}","0","LOG","00000","statement: SELECT * FROM t${i % 30} WHERE id = ${i}","","","","","","","","","psql","client backend","","0"`,
  },
  'journald-json': {
    parser: 'journald-json.js', name: 'journaldJson',
    line: (r, i) => JSON.stringify({ __CURSOR: `s=1;i=${i.toString(16)}`, __REALTIME_TIMESTAMP: String(1767320400_000000 + i * 1000), _BOOT_ID: 'b', _HOSTNAME: 'web-01', PRIORITY: '6', SYSLOG_FACILITY: '10', SYSLOG_IDENTIFIER: 'sshd', SYSLOG_PID: String(4000 + (i % 500)), _PID: String(4000 + (i % 500)), _TRANSPORT: 'syslog', _SYSTEMD_UNIT: 'ssh.service', MESSAGE: i % 3 ? `Failed password for root from 203.0.113.${i % 250} port ${30000 + (i % 30000)} ssh2` : `Accepted publickey for deploy from 10.0.1.${i % 250} port ${30000 + (i % 30000)} ssh2: ED25519 SHA256:abc` }),
  },
};

async function once(o, key) {
  const spec = INPUTS[key];
  const mod = await import(join(o.dist, 'parsers', spec.parser)).catch(() => null);
  if (!mod) return null; // the parser does not exist in that build
  const parser = mod[spec.name];
  const { LineSplitter } = await import(join(o.dist, 'ingest', 'line-splitter.js'));
  const { LocalZone } = await import(join(o.dist, 'core', 'time.js'));
  const r = rng(13);
  const lines = [];
  if (spec.head) lines.push(spec.head);
  for (let i = 0; i < o.records; i++) lines.push(spec.line(r, i));
  const buf = Buffer.from(lines.join('\n') + '\n');
  let events = 0;
  let warnings = 0;
  const ctx = { path: `bench-${key}.log`, mtimeMs: Date.now(), options: { tz: new LocalZone('UTC'), extra: {} }, emit: () => events++, warn: () => warnings++, setYearShift() {}, setFileInfo() {}, recordOnly() {} };
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  if (parser.kind === 'lines') {
    const h = parser.open(ctx);
    const split = new LineSplitter((t, n, off, len) => h.line(t, n, off, len));
    for (let i = 0; i < buf.length; i += 65536) split.push(buf.subarray(i, i + 65536));
    split.end();
    h.end();
  } else {
    await parser.parse(Readable.from([buf]), ctx);
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  // CPU seconds of this process: steadier than wall time on a shared machine.
  return { seconds: s, cpu: (c.user + c.system) / 1e6, events, warnings, mb: buf.length / 1e6 };
}

export async function run(opts = {}) {
  const o = { ...args([]), ...opts };
  const report = { records: o.records, runs: o.runs, dist: o.dist, node: process.version, results: {} };
  for (const key of Object.keys(INPUTS)) {
    if (o.only && !o.only.includes(key)) continue;
    const times = [];
    const cpus = [];
    let last = null;
    for (let k = 0; k < o.runs; k++) {
      last = await once(o, key);
      if (!last) break;
      times.push(last.seconds);
      cpus.push(last.cpu);
    }
    if (!last) {
      report.results[key] = null;
      continue;
    }
    times.sort((a, b) => a - b);
    cpus.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)];
    const cpu = cpus[Math.floor(cpus.length / 2)];
    report.results[key] = {
      median_s: Number(median.toFixed(3)), records_per_s: Math.round(o.records / median), cpu_us_per_record: Number(((cpu / o.records) * 1e6).toFixed(2)),
      events: last.events, warnings: last.warnings, mb: Number(last.mb.toFixed(1)),
    };
  }
  return report;
}

export function markdown(report) {
  const rows = Object.entries(report.results).map(([k, v]) => (v ? `| ${k} | ${v.cpu_us_per_record} | ${v.records_per_s.toLocaleString('en-US')} | ${v.events.toLocaleString('en-US')} | ${v.warnings} |` : `| ${k} | (not in this build) | | | |`));
  return [`records per input: ${report.records.toLocaleString('en-US')}, runs: ${report.runs}, dist: ${report.dist}, node ${report.node}`, '', '| input | CPU µs/record (median) | records/s wall (median) | events | warnings |', '|---|---|---|---|---|', ...rows].join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const report = await run(args(process.argv.slice(2)));
  process.stdout.write(markdown(report) + '\n');
}
