/**
 * PostgreSQL logs as one JSON object per line:
 * - jsonlog (`log_destination=jsonlog`, PostgreSQL 15+): `{"timestamp","user","dbname","pid",…}`;
 * - CloudNativePG's operator log: `{"level","ts","logger":"postgres","msg":"record","record":{csvlog
 *   column names}}` — and its own instance-manager messages, kept as they are;
 * - Google Cloud SQL exports: `{"textPayload":"[pid]: [1-1] db=…,user=… LOG:  …","timestamp",
 *   "resource":{"labels":{"database_id"}}}` — the stderr format inside JSON.
 */
import { parseIsoMicros } from '../core/time.js';
import { PgInterpreter, type PgRecord } from './dbquery/pg-record.js';
import { INNER_PREFIXES, KNOWN_PREFIXES, PrefixSet } from './dbquery/pg-prefix.js';
import { StderrAssembler } from './dbquery/pg-stderr.js';
import { parseZonedTime } from './dbquery/tz-abbrev.js';
import type { LineDisposition, LineHandler, LineParser, ParseContext, SniffHead } from './types.js';

const SAMPLES = [
  '{"timestamp":"2024-06-27 00:00:07.369 CEST","pid":58151,"session_id":"667c8f67.e327","line_num":1,"session_start":"2024-06-27 00:00:07 CEST","vxid":"21/52610848","txid":3949960645,"error_severity":"LOG","message":"automatic analyze of table \\"testdb.sales.tab_shop_stats\\"\\nI/O timings: read: 0.000 ms, write: 0.000 ms","backend_type":"autovacuum worker","query_id":0}',
  '{"level":"info","ts":1669575482.0936375,"logger":"postgres","msg":"record","logging_pod":"myapp-pg-cluster-1","record":{"log_time":"2022-11-27 18:58:02.093 UTC","user_name":"postgres","database_name":"postgres","process_id":"600","connection_from":"[local]","session_id":"6383b33a.258","session_line_num":"3","command_tag":"authentication","session_start_time":"2022-11-27 18:58:02 UTC","virtual_transaction_id":"4/249","transaction_id":"0","error_severity":"LOG","sql_state_code":"00000","message":"connection authorized: user=postgres database=postgres application_name=pg_isready","backend_type":"client backend","query_id":"0"}}',
  '{"insertId":"s=a4e36fd29d8545e3aef2b7163cf53485;i=1dbcd;b=85f82a56dac248e3a65a14f508238942;m=2147d16cb9;t=5a4a9e1545d1e;x=47abb47a5d438ba8-0@a1","logName":"projects/sk5-formations-thomas/logs/cloudsql.googleapis.com%2Fpostgres.log","receiveTimestamp":"2020-05-02T13:00:22.45390538Z","resource":{"labels":{"database_id":"sk5-formations-thomas:temp-thomas-2020-04-30","project_id":"sk5-formations-thomas","region":"europe"},"type":"cloudsql_database"},"severity":"INFO","textPayload":"[24667]: [2-1] db=cloudsqladmin,user=cloudsqladmin LOG:  connection authorized: user=cloudsqladmin database=cloudsqladmin","timestamp":"2020-05-02T13:00:20.385035Z"}',
];

const MAX_WARNING_TEXT = 512;

type Shape = 'jsonlog' | 'cnpg' | 'cloudsql';

function shapeOf(o: Record<string, unknown>): Shape | null {
  if (typeof o.error_severity === 'string' && typeof o.timestamp === 'string' && 'message' in o) return 'jsonlog';
  if (o.record && typeof o.record === 'object' && ('logger' in o || 'logging_pod' in o)) return 'cnpg';
  // CloudNativePG's instance manager: {"level","ts","msg","logging_pod"} (logger optional).
  if ((typeof o.ts === 'number' || typeof o.ts === 'string') && 'level' in o && 'msg' in o && ('logger' in o || 'logging_pod' in o)) return 'cnpg';
  if (typeof o.textPayload === 'string' && typeof o.timestamp === 'string') {
    const res = o.resource as { type?: string } | undefined;
    if (res?.type === 'cloudsql_database' || String(o.logName ?? '').includes('cloudsql.googleapis.com')) return 'cloudsql';
  }
  return null;
}

export const postgresJsonlog: LineParser = {
  kind: 'lines',
  name: 'postgres_jsonlog',
  version: '1',
  source: 'postgres_jsonlog',
  description: 'PostgreSQL jsonlog (15+), CloudNativePG operator JSON, Google Cloud SQL JSON exports',
  samples: SAMPLES,
  sniff: sniffJsonlog,
  open: (ctx) => new JsonlogHandler(ctx),
};

function sniffJsonlog(head: SniffHead) {
  const counts: Record<Shape, number> = { jsonlog: 0, cnpg: 0, cloudsql: 0 };
  let objects = 0;
  for (const line of head.lines.slice(0, 20)) {
    if (!line.startsWith('{')) continue;
    let o: unknown;
    try {
      o = JSON.parse(line);
    } catch {
      continue;
    }
    if (!o || typeof o !== 'object') continue;
    objects++;
    const s = shapeOf(o as Record<string, unknown>);
    if (s) counts[s]++;
  }
  const [best, n] = (Object.entries(counts) as [Shape, number][]).sort((a, b) => b[1] - a[1])[0]!;
  if (n === 0) return null;
  // CloudNativePG's instance manager writes non-PostgreSQL lines too; one PostgreSQL record is enough there.
  if (best !== 'cnpg' && n < objects / 2) return null;
  return { confidence: 95, reason: `${n}/${objects} head lines are ${best === 'jsonlog' ? 'PostgreSQL jsonlog' : best === 'cnpg' ? 'CloudNativePG PostgreSQL' : 'Cloud SQL PostgreSQL'} JSON records` };
}

class JsonlogHandler implements LineHandler {
  private readonly interp: PgInterpreter;
  private readonly asm: StderrAssembler;
  private readonly inner: PrefixSet;
  private readonly stderr = new PrefixSet(KNOWN_PREFIXES);
  private readonly zoneNotes = new Set<string>();
  private readonly shapes = new Map<string, number>();

  constructor(private readonly ctx: ParseContext) {
    this.interp = new PgInterpreter(ctx);
    this.asm = new StderrAssembler(ctx, this.interp, ctx.options.tz);
    let inner: PrefixSet | null = null;
    const given = ctx.options.extra['pg-prefix'];
    if (given !== undefined) {
      try {
        inner = new PrefixSet([given, ...INNER_PREFIXES]);
      } catch (err) {
        ctx.warn({ line: 0, byte_offset: 0, raw: given, reason: `-O pg-prefix ignored: ${(err as Error).message}` });
      }
    }
    this.inner = inner ?? new PrefixSet([...INNER_PREFIXES]);
  }

  line(text: string, lineNo: number, offset: number, byteLength: number): LineDisposition {
    if (text.trim() === '') return 'blank';
    const warn = (reason: string): LineDisposition => {
      this.asm.flush();
      this.ctx.warn({ line: lineNo, byte_offset: offset, raw: text.slice(0, MAX_WARNING_TEXT), reason });
      return 'warning';
    };
    if (text.charCodeAt(0) !== 123 /* { */) return warn('not a JSON object');
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(text) as Record<string, unknown>;
    } catch (err) {
      return warn(`invalid JSON: ${(err as Error).message}`);
    }
    if (!o || typeof o !== 'object' || Array.isArray(o)) return warn('not a JSON object');
    // In a file already read as CloudNativePG's, its bare {"level","ts","msg"} lines are its own.
    const shape = shapeOf(o) ?? ('level' in o && 'msg' in o && 'ts' in o ? 'cnpg' : null);
    this.shapes.set(shape ?? 'other', (this.shapes.get(shape ?? 'other') ?? 0) + 1);
    const pos = { line: lineNo, byte_offset: offset, byte_length: byteLength, raw: text };
    if (shape === 'cloudsql') return this.cloudsql(o, pos);
    this.asm.flush();
    if (shape === 'jsonlog') return this.jsonlog(o, pos, warn);
    if (shape === 'cnpg') return this.cnpg(o, pos, warn);
    return warn('JSON object of an unknown shape (not jsonlog, CloudNativePG or Cloud SQL)');
  }

  end(): void {
    this.asm.flush();
    this.interp.finish();
    this.ctx.setFileInfo('json_shapes', Object.fromEntries(this.shapes));
  }

  private time(text: unknown, pos: { line: number; byte_offset: number; raw: string }) {
    if (typeof text !== 'string') return null;
    const t = parseZonedTime(text, this.ctx.options.tz) ?? (() => {
      const iso = parseIsoMicros(text, this.ctx.options.tz);
      return iso ? { us: iso.us, quality: iso.zoned ? ('exact' as const) : ('zone_assumed' as const) } : null;
    })();
    if (t && 'zoneNote' in t && t.zoneNote && t.zone && !this.zoneNotes.has(t.zone)) {
      this.zoneNotes.add(t.zone);
      this.ctx.warn({ line: pos.line, byte_offset: pos.byte_offset, raw: pos.raw.slice(0, MAX_WARNING_TEXT), reason: `${t.zoneNote} (said once per file; such events are marked zone_assumed)` });
    }
    return t;
  }

  private jsonlog(o: Record<string, unknown>, pos: Pos, warn: (r: string) => LineDisposition): LineDisposition {
    const t = this.time(o.timestamp, pos);
    if (!t) return warn('jsonlog record without a readable timestamp');
    const s = (k: string): string | undefined => (o[k] === undefined || o[k] === null || o[k] === '' ? undefined : String(o[k]));
    const remote = s('remote_host') ? (s('remote_port') ? `${s('remote_host')}:${s('remote_port')}` : s('remote_host')) : undefined;
    const rec: PgRecord = {
      ts: t.us, quality: t.quality, zone: (t as { zone?: string }).zone, zoneNote: (t as { zoneNote?: string }).zoneNote,
      severity: s('error_severity') ?? 'LOG', message: s('message') ?? '',
      detail: s('detail'), hint: s('hint'), context: s('context'), statement: s('statement'), query: s('internal_query'),
      pid: s('pid') ?? null, sessionId: s('session_id') ?? null, lineNum: s('line_num') ?? null,
      user: s('user') ?? null, database: s('dbname') ?? null, remote: remote ?? null, app: s('application_name') ?? null,
      sqlstate: s('state_code') ?? null, vxid: s('vxid') ?? null, xid: s('txid') ?? null, backendType: s('backend_type') ?? null,
      queryId: s('query_id') ?? null, commandTag: s('ps') ?? null, sessionStart: s('session_start') ?? null, leaderPid: s('leader_pid') ?? null,
      ...pos,
    };
    this.interp.emit(rec);
    return 'record';
  }

  private cnpg(o: Record<string, unknown>, pos: Pos, warn: (r: string) => LineDisposition): LineDisposition {
    const pod = typeof o.logging_pod === 'string' ? o.logging_pod : null;
    const r = o.record as Record<string, unknown> | undefined;
    if (o.logger === 'postgres' && r && typeof r === 'object' && typeof r.log_time === 'string') {
      const t = this.time(r.log_time, pos);
      if (!t) return warn('CloudNativePG record without a readable log_time');
      const s = (k: string): string | undefined => (r[k] === undefined || r[k] === null || r[k] === '' ? undefined : String(r[k]));
      const rec: PgRecord = {
        ts: t.us, quality: t.quality, zone: (t as { zone?: string }).zone, zoneNote: (t as { zoneNote?: string }).zoneNote,
        severity: s('error_severity') ?? 'LOG', message: s('message') ?? '',
        detail: s('detail'), hint: s('hint'), context: s('context'), statement: s('query'), query: s('internal_query'), location: s('location'),
        pid: s('process_id') ?? null, sessionId: s('session_id') ?? null, lineNum: s('session_line_num') ?? null,
        user: s('user_name') ?? null, database: s('database_name') ?? null, remote: s('connection_from') ?? null, app: s('application_name') ?? null,
        sqlstate: s('sql_state_code') ?? null, vxid: s('virtual_transaction_id') ?? null, xid: s('transaction_id') ?? null,
        backendType: s('backend_type') ?? null, queryId: s('query_id') ?? null, commandTag: s('command_tag') ?? null,
        sessionStart: s('session_start_time') ?? null, leaderPid: s('leader_pid') ?? null, host: pod,
        ...pos,
      };
      this.interp.emit(rec);
      return 'record';
    }
    const iso = typeof o.ts === 'string' ? parseIsoMicros(o.ts, this.ctx.options.tz) : null;
    const ts = typeof o.ts === 'number' && Number.isFinite(o.ts) ? Math.round(o.ts * 1e6) : iso ? iso.us : NaN;
    const msg = typeof o.msg === 'string' ? o.msg : '';
    // The server's own stderr lines before the logging collector starts.
    if (o.logger === 'postgres' && msg) {
      const m = this.stderr.match(msg);
      if (m) {
        this.asm.matched(m, { host: pod }, pos.line, pos.byte_offset, pos.byte_length, pos.raw);
        this.asm.flush();
        return 'record';
      }
    }
    if (Number.isNaN(ts)) return warn('CloudNativePG line without a time');
    this.ctx.emit({
      ts, time_quality: iso && !iso.zoned ? 'zone_assumed' : 'exact', class: 'other', action: 'other', outcome: 'unknown', host: pod,
      summary: `${typeof o.logger === 'string' ? o.logger : 'cnpg'}: ${msg.replace(/\s+/g, ' ').slice(0, 300)}`,
      attrs: { level: o.level, logger: o.logger, msg: msg.length > 4000 ? msg.slice(0, 4000) + '…' : msg },
      ...pos,
    });
    return 'record';
  }

  private cloudsql(o: Record<string, unknown>, pos: Pos): LineDisposition {
    const text = o.textPayload as string;
    const iso = parseIsoMicros(o.timestamp as string, this.ctx.options.tz);
    const labels = (o.resource as { labels?: Record<string, unknown> } | undefined)?.labels;
    const host = typeof labels?.database_id === 'string' ? labels.database_id : null;
    if (text.charCodeAt(0) === 9 && this.asm.hasPending) {
      this.asm.continuation(text, pos.byte_length, pos.raw);
      return 'continuation';
    }
    const m = this.inner.match(text);
    if (m && iso) {
      return this.asm.matched(m, { ts: iso.us, quality: iso.zoned ? 'exact' : 'zone_assumed', host, extra: typeof o.insertId === 'string' ? { insert_id: o.insertId } : undefined }, pos.line, pos.byte_offset, pos.byte_length, pos.raw);
    }
    this.asm.flush();
    if (!iso) {
      this.ctx.warn({ line: pos.line, byte_offset: pos.byte_offset, raw: pos.raw.slice(0, MAX_WARNING_TEXT), reason: 'Cloud SQL entry without a readable timestamp' });
      return 'warning';
    }
    this.ctx.emit({
      ts: iso.us, time_quality: iso.zoned ? 'exact' : 'zone_assumed', class: 'other', action: 'other', outcome: 'unknown', host,
      summary: `cloudsql: ${text.replace(/\s+/g, ' ').slice(0, 300)}`, attrs: { severity: o.severity, text_payload: text.length > 4000 ? text.slice(0, 4000) + '…' : text },
      ...pos,
    });
    return 'record';
  }
}

interface Pos {
  line: number;
  byte_offset: number;
  byte_length: number;
  raw: string;
}
