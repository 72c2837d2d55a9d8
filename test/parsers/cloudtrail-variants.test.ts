/**
 * CloudTrail as responders receive it (issue 13): the six records of
 * fixtures/cloudtrail-variants/native.jsonl, exported by each SIEM, pipeline and query engine
 * (scripts/gen-cloudtrail-variants.mjs, written from their documentation), must give the same
 * normalized events as the native records — same class, action, actor, address, key, session,
 * target, outcome, time and attrs — apart from provenance (line, bytes, raw) and what the export
 * added around the record (attrs.wrapper, attrs.time_field).
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DwellEvent } from '../../src/core/event.js';
import { makeHead, sniff } from '../../src/ingest/sniff.js';
import { parserByName } from '../../src/parsers/registry.js';
import type { SourceParser } from '../../src/parsers/types.js';
import { query } from '../helpers/case.js';
import { dwell, ROOT, tempDir } from '../helpers/cli.js';
import { listFiles } from '../helpers/corpus.js';
import { runParser, type ParserRun } from '../helpers/run-parser.js';

const DIR = join(ROOT, 'fixtures', 'cloudtrail-variants');

function content(path: string): Buffer {
  const buf = readFileSync(path);
  // Firehose deliveries are concatenated gzip members; gunzipSync reads them all.
  return buf[0] === 0x1f && buf[1] === 0x8b ? gunzipSync(buf) : buf;
}

/** The parser `dwell ingest` would choose, and why. */
function sniffed(path: string): { parser: SourceParser; reason: string } {
  const r = sniff(makeHead(path, content(path).subarray(0, 65536)));
  expect(r.winner, `${path}: ${r.reason}`).not.toBeNull();
  return { parser: r.winner!.parser, reason: r.winner!.match.reason };
}

async function read(path: string): Promise<ParserRun & { parser: string; reason: string }> {
  const { parser, reason } = sniffed(path);
  const run = await runParser(parser, content(path), { path });
  return { ...run, parser: parser.name, reason };
}

/** An event without its provenance and without what the export put around the record. */
function comparable(e: DwellEvent): Record<string, unknown> {
  const { line: _l, byte_offset: _o, byte_length: _n, raw: _r, attrs, ...rest } = e;
  const a: Record<string, unknown> = { ...(attrs ?? {}) };
  delete a.wrapper;
  delete a.time_field;
  return { ...rest, attrs: a };
}

const COLUMNS = ['ts', 'time_quality', 'class', 'action', 'outcome', 'actor', 'src_ip', 'session', 'access_key', 'target', 'user_agent', 'bytes_in', 'bytes_out', 'summary'] as const;
const ATTRS = ['identity_type', 'account', 'region', 'error_code', 'error_message', 'issuer_arn', 'issuer_name', 'mfa', 'session_created', 'issued_access_key', 'issued_to', 'event_id', 'request_id', 'event_type', 'category', 'read_only', 'recipient_account', 'source', 'invoked_by'] as const;
/** The columns and main attrs, for exports that carry only part of each record (a table, ECS without event.original). */
function columns(e: DwellEvent, attrs: readonly string[] = ATTRS, skip: readonly string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of COLUMNS) if (!skip.includes(k)) out[k] = e[k] ?? null;
  for (const k of attrs) out[`attrs.${k}`] = e.attrs?.[k] ?? null;
  return out;
}

/** Exports that keep the whole record: every field of the event must match. */
const WHOLE: Record<string, { parser: string; reason: RegExp; variant: string; timeField?: string; others?: Record<string, number> }> = {
  'elastic/elasticdump-original.ndjson': { parser: 'cloudtrail', reason: /Elastic AWS integration documents \(ECS\) keeping each CloudTrail record in event.original/, variant: 'elasticsearch_hit>elastic_original' },
  'elastic/filebeat-message.ndjson': { parser: 'cloudtrail', reason: /holding the CloudTrail record as text/, variant: 'beats_message' },
  'elastic/logstash-no-eventtime.ndjson': { parser: 'cloudtrail', reason: /with Logstash\/Elastic fields \(@timestamp\)/, variant: 'pipeline_fields', timeField: '@timestamp' },
  'splunk/export.json': { parser: 'cloudtrail', reason: /Splunk export \(JSON\): CloudTrail records in _raw/, variant: 'splunk>splunk_raw' },
  'splunk/export.csv': { parser: 'cloudtrail_csv', reason: /Splunk export \(CSV\)/, variant: 'splunk_raw' },
  'datadog/logs-api-v2.json': { parser: 'cloudtrail', reason: /Datadog log search API response/, variant: 'datadog_api>datadog' },
  // One of the three payloads is a CONTROL_MESSAGE (Firehose's health check): counted, no event, no warning.
  'cloudwatch/firehose-20260414-0320.gz': { parser: 'cloudtrail', reason: /CloudWatch Logs subscription \/ Firehose delivery/, variant: 'cloudwatch_subscription', others: { cloudwatch_control_message: 1 } },
  'eventbridge/firehose-concatenated.json': { parser: 'cloudtrail', reason: /EventBridge events/, variant: 'eventbridge' },
  'athena/query-results.csv': { parser: 'cloudtrail_csv', reason: /Athena \/ CloudTrail Lake query results/, variant: 'renamed_fields' },
};

/** Exports that carry part of each record: the columns and main attrs must match. */
const PARTIAL: Record<string, { parser: string; reason: RegExp; variant: string; timeField?: string; attrs?: readonly string[]; skip?: readonly string[] }> = {
  'elastic/search-ecs.json': { parser: 'cloudtrail', reason: /Elastic AWS integration documents/, variant: 'elasticsearch_hit>ecs', timeField: '@timestamp' },
  'elastic/kibana-flat.ndjson': { parser: 'cloudtrail', reason: /Elastic AWS integration documents/, variant: 'ecs', timeField: '@timestamp' },
  // A table of chosen fields: no eventID/requestID/account… beyond those selected.
  'splunk/table-export.json': { parser: 'cloudtrail', reason: /Splunk export \(JSON\) of a table of CloudTrail fields/, variant: 'splunk>renamed_fields', timeField: '_time', attrs: ['identity_type', 'error_code', 'event_id', 'session_created'] },
  // Selected columns; nested response elements (the issued credentials) are not among them, so the summary lacks "issued key".
  'lake/get-query-results.json': { parser: 'cloudtrail', reason: /CloudTrail Lake query results/, variant: 'renamed_fields', attrs: ['identity_type', 'error_code', 'event_id', 'session_created', 'region', 'read_only', 'invoked_by', 'source'], skip: ['summary'] },
};

describe('CloudTrail variants give the native records’ events', () => {
  let native: DwellEvent[];
  beforeAll(async () => {
    const run = await read(join(DIR, 'native.jsonl'));
    expect(run.warnings).toEqual([]);
    native = run.events;
    expect(native).toHaveLength(6);
  });

  it('covers every fixture', () => {
    const files = listFiles(DIR).map((p) => relative(DIR, p)).filter((p) => p !== 'native.jsonl');
    expect(files.sort()).toEqual([...Object.keys(WHOLE), ...Object.keys(PARTIAL)].sort());
  });

  for (const [file, want] of Object.entries(WHOLE)) {
    it(`${file}: ${want.parser} claims it and every field of every event equals the native record’s`, async () => {
      const run = await read(join(DIR, file));
      expect([run.parser, run.reason]).toEqual([want.parser, expect.stringMatching(want.reason)]);
      expect(run.warnings).toEqual([]);
      expect(run.events.map(comparable)).toEqual(native.map(comparable));
      expect(run.info.variants).toEqual({ [want.variant]: 6, ...want.others });
      expect(run.events.map((e) => e.attrs?.time_field ?? null)).toEqual(Array(6).fill(want.timeField ?? null));
    });
  }

  for (const [file, want] of Object.entries(PARTIAL)) {
    it(`${file}: ${want.parser} claims it and the columns and main attrs equal the native record’s`, async () => {
      const run = await read(join(DIR, file));
      expect([run.parser, run.reason]).toEqual([want.parser, expect.stringMatching(want.reason)]);
      expect(run.warnings).toEqual([]);
      expect(run.events.map((e) => columns(e, want.attrs, want.skip))).toEqual(native.map((e) => columns(e, want.attrs, want.skip)));
      expect(run.info.variants).toEqual({ [want.variant]: 6 });
      expect(run.events.map((e) => e.attrs?.time_field ?? null)).toEqual(Array(6).fill(want.timeField ?? null));
    });
  }

  it('keeps what the export added in attrs.wrapper', async () => {
    const splunk = await read(join(DIR, 'splunk/export.json'));
    expect(splunk.events[0]!.attrs!.wrapper).toMatchObject({ preview: false, offset: 0, _time: '2026-04-14T03:12:09.000+00:00', sourcetype: 'aws:cloudtrail', index: 'main' });
    const firehose = await read(join(DIR, 'cloudwatch/firehose-20260414-0320.gz'));
    expect(firehose.events[0]!.attrs!.wrapper).toMatchObject({ messageType: 'DATA_MESSAGE', owner: '444455556666', logGroup: 'aws-cloudtrail-logs-444455556666-org', logStream: '444455556666_CloudTrail_eu-central-1', timestamp: Date.parse('2026-04-14T03:12:54Z') });
    expect(firehose.info.control_messages).toBe(1);
    const eb = await read(join(DIR, 'eventbridge/firehose-concatenated.json'));
    expect(eb.events.map((e) => e.attrs!.wrapper)).toMatchObject([{ 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.sts' }, {}, { 'detail-type': 'AWS Console Sign In via CloudTrail' }, {}, {}, {}]);
    const dd = await read(join(DIR, 'datadog/logs-api-v2.json'));
    expect(dd.events[0]!.attrs!.wrapper).toMatchObject({ type: 'log', service: 'cloudtrail', network: { client: { ip: '203.0.113.140' } }, evt: { name: 'AssumeRole' } });
    const dump = await read(join(DIR, 'elastic/elasticdump-original.ndjson'));
    const w = dump.events[0]!.attrs!.wrapper as Record<string, unknown>;
    expect(w).toMatchObject({ _index: '.ds-logs-aws.cloudtrail-default-2026.04.14-000001', '@timestamp': '2026-04-14T03:12:09.000Z', tags: ['preserve_original_event', 'forwarded', 'aws-cloudtrail'] });
    // ECS fields derived from the record are not repeated in the wrapper.
    expect(Object.keys(w)).not.toContain('event');
    expect(Object.keys(w)).not.toContain('source');
  });

  it('points each event at its own bytes in the export', async () => {
    for (const file of ['splunk/export.json', 'elastic/search-ecs.json', 'lake/get-query-results.json', 'athena/query-results.csv', 'eventbridge/firehose-concatenated.json']) {
      const buf = content(join(DIR, file));
      const run = await read(join(DIR, file));
      for (const e of run.events) expect(buf.subarray(e.byte_offset, e.byte_offset + e.byte_length).toString('utf8'), file).toBe(e.raw);
    }
  });
});

describe('dwell sniff and dwell ingest on the variants (built CLI)', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('dwell sniff names the parser and the variant of every file', async () => {
    const r = await dwell(['sniff', '--json', DIR]);
    expect(r.code).toBe(0);
    const reports = JSON.parse(r.stdout) as { path: string; winner: string; reason: string }[];
    const byFile = Object.fromEntries(reports.map((x) => [relative(DIR, x.path), x]));
    for (const [file, want] of Object.entries({ ...WHOLE, ...PARTIAL })) {
      expect([byFile[file]?.winner, byFile[file]?.reason], file).toEqual([want.parser, expect.stringMatching(want.reason)]);
    }
    const text = await dwell(['sniff', join(DIR, 'splunk', 'export.csv')]);
    expect(text.stdout).toMatch(/→ cloudtrail_csv: Splunk export \(CSV\): CloudTrail records in the _raw column/);
  });

  it('dwell ingest reads every variant into the same events, one per record, with no warning', async () => {
    const casePath = join(tmp.path, 'variants.duckdb');
    const r = await dwell(['ingest', '-q', '--case', casePath, DIR]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rows = await query<{ n: number; files: number; keys: number; w: number }>(
      casePath,
      `SELECT count(*)::INTEGER AS n, count(DISTINCT evidence_id)::INTEGER AS files, count(DISTINCT access_key)::INTEGER AS keys,
              (SELECT count(*)::INTEGER FROM parse_warnings) AS w FROM events`,
    );
    expect(rows[0]).toEqual({ n: 6 * 14, files: 14, keys: 2, w: 0 });
    // Each record's eventID gives one action, one actor and one address, whatever the export.
    const distinct = await query<{ id: string; variants: number }>(
      casePath,
      `SELECT json_extract_string(attrs, '$.event_id') AS id, count(DISTINCT (action, coalesce(actor, ''), coalesce(src_ip, ''), ts))::INTEGER AS variants FROM events GROUP BY 1 ORDER BY 1`,
    );
    expect(distinct).toHaveLength(6);
    expect(distinct.every((d) => d.variants === 1)).toBe(true);
  });
});
