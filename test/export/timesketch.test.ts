/**
 * Timesketch: the validator is first held to Timesketch's own import fixtures and their known
 * results (../shared/specs/timesketch), then dwell's timesketch-jsonl and timesketch-csv exports are
 * held to the validator (accepted, nothing dropped, strict checks clean).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dwell, tempDir } from '../helpers/cli.js';
import { query } from '../helpers/case.js';
import { caseWithFindings, specsDir } from './helpers.js';
import { strictProblems, validateTimesketchCsv, validateTimesketchJsonl } from './validators/timesketch.js';

const TS = specsDir('timesketch');
const fixture = (rel: string) => readFileSync(join(TS!, rel), 'utf8');

describe.skipIf(!TS)('the Timesketch validator on Timesketch’s fixtures', () => {
  it('accepts sigma_events.csv as is', () => {
    const r = validateTimesketchCsv(fixture('tests/test_events/sigma_events.csv'), 'sigma_events.csv');
    expect(r.accepted).toBe(true);
    expect(r.dropped).toEqual([]);
    expect(r.events).toHaveLength(4);
    expect(r.events[0]).toMatchObject({ message: 'A message', datetime: '2015-07-24T19:01:01+00:00', timestamp: 1437764461000000, timestamp_desc: 'Write time' });
  });

  it('normalizes datetimes and recomputes timestamps (validate_timestamp_conversion.csv)', () => {
    const r = validateTimesketchCsv(fixture('tests/test_events/validate_timestamp_conversion.csv'), 'x.csv');
    expect(r.events.map((e) => [e.datetime, e.timestamp, e.data_type])).toEqual([
      ['2012-03-14T04:17:38+00:00', 1331698658000000, 'This event has timestamp'],
      ['2022-07-24T19:01:01+00:00', 1658689261000000, 'This event has timestamp'],
      ['2015-07-25T02:01:01+00:00', 1437789661000000, 'This data_type should stay the same'],
    ]);
  });

  it('computes a missing timestamp column (validate_date_events_missing_timestamp.csv)', () => {
    const r = validateTimesketchCsv(fixture('tests/test_events/validate_date_events_missing_timestamp.csv'), 'x.csv');
    expect(r.events.map((e) => e.timestamp)).toEqual([1658689261000000]);
  });

  it('drops rows without a usable datetime and keeps the others (validate_no_datetime_timestamps.csv)', () => {
    const r = validateTimesketchCsv(fixture('tests/test_events/validate_no_datetime_timestamps.csv'), 'x.csv');
    expect(r.dropped.map((d) => d.row)).toEqual([1, 2]);
    expect(r.events.map((e) => [e.message, e.datetime])).toEqual([
      ['No Timestamp1', '2015-07-25T02:01:01+00:00'],
      ['No Timestamp2', '2014-07-25T02:01:01+00:00'],
      ['Whitespace Timestamp', '2016-07-25T02:01:01+00:00'],
    ]);
  });

  it('derives datetime from a timestamp-only CSV by magnitude (csv_timestamp_no_datetime.csv)', () => {
    const r = validateTimesketchCsv(fixture('tests/test_events/csv_timestamp_no_datetime.csv'), 'x.csv');
    expect(r.events.map((e) => e.datetime)).toEqual(['2022-07-24T19:01:01+00:00', '2022-07-24T19:01:01.123000+00:00', '2022-07-24T19:01:01.123456+00:00']);
  });

  it('reads numeric datetimes over 1e15 as microseconds (csv_timestamp_as_datetime.csv)', () => {
    const r = validateTimesketchCsv(fixture('tests/test_events/csv_timestamp_as_datetime.csv'), 'x.csv');
    expect(r.events).toHaveLength(4);
    expect(r.events[0]).toMatchObject({ datetime: '2024-08-12T15:03:14.349345+00:00', timestamp: 1723474994349345 });
  });

  it('overwrites an inconsistent timestamp from datetime (csv_datetime_last_column.csv)', () => {
    const r = validateTimesketchCsv(fixture('tests/test_events/csv_datetime_last_column.csv'), 'x.csv');
    expect(r.events[0]).toMatchObject({ datetime: '2018-07-27T10:58:07+00:00', timestamp: 1532689087000000 });
  });

  it('treats zone-less datetimes as UTC and drops unparseable ones (invalid_datetime.csv)', () => {
    const r = validateTimesketchCsv(fixture('tests/test_events/invalid_datetime.csv'), 'x.csv');
    expect(r.events.map((e) => e.data_type)).toEqual(['Missing_timezone_info', 'wrong_timestamp', 'long_timestamp']);
    expect(r.events[0]!.datetime).toBe('2017-09-24T19:01:01+00:00');
    expect(r.dropped).toEqual([{ row: 4, reason: 'invalid datetime "1234 19:01:01"' }]);
  });

  it('drops the 1601 event and keeps the 2227 one (validate_time_out_of_range.csv)', () => {
    const r = validateTimesketchCsv(fixture('tests/test_events/validate_time_out_of_range.csv'), 'x.csv');
    expect(r.dropped.map((d) => d.row)).toEqual([1]);
    expect(r.events.map((e) => e.datetime)).toEqual(['2227-12-31T23:01:01+00:00']);
  });

  it('keeps microsecond precision (validate_time_precision*.csv, validate_time_precision_jsonl.jsonl)', () => {
    expect(validateTimesketchCsv(fixture('tests/test_events/validate_time_precision.csv'), 'x.csv').events[0]!.datetime).toBe('2024-07-24T10:57:02.877297+00:00');
    expect(validateTimesketchCsv(fixture('tests/test_events/validate_time_precision_datetime.csv'), 'x.csv').events[0]!.timestamp).toBe(1721818622877297);
    const j = validateTimesketchJsonl(fixture('tests/test_events/validate_time_precision_jsonl.jsonl'), 'x.jsonl');
    expect(j.accepted).toBe(true);
    expect(j.events).toHaveLength(2);
  });

  it('rejects files without the mandatory headers (incorrect.csv, evtx_fails.csv)', () => {
    const a = validateTimesketchCsv(fixture('tests/test_events/incorrect.csv'), 'incorrect.csv');
    expect(a.accepted).toBe(false);
    expect(a.error).toMatch(/Missing mandatory CSV headers: .*datetime/);
    const b = validateTimesketchCsv(fixture('end_to_end_tests/test_data/evtx_fails.csv'), 'evtx_fails.csv');
    expect(b.accepted).toBe(false);
    expect(b.error).toMatch(/message/);
  });

  it('accepts the end-to-end timelines (sigma_events, evtx_direct, evtx_part) and strips __ts_timeline_id', () => {
    for (const f of ['sigma_events.csv', 'evtx_direct.csv', 'evtx_direct_without_label.csv', 'evtx_part.csv']) {
      const r = validateTimesketchCsv(fixture(`end_to_end_tests/test_data/${f}`), f);
      expect(r.accepted, `${f}: ${r.error}`).toBe(true);
      expect(r.dropped, f).toEqual([]);
      expect(r.events.length, f).toBeGreaterThan(0);
      for (const e of r.events) expect('__ts_timeline_id' in e).toBe(false);
    }
    const j = validateTimesketchJsonl(fixture('end_to_end_tests/test_data/sigma_events.jsonl'), 'sigma_events.jsonl');
    expect(j.accepted).toBe(true);
    expect(j.events).toHaveLength(4);
  });

  it('accepts sigma_events.jsonl (timestamp as a string too) and flags the oversized field of large_field_event.jsonl', () => {
    const j = validateTimesketchJsonl(fixture('tests/test_events/sigma_events.jsonl'), 'sigma_events.jsonl');
    expect(j.accepted).toBe(true);
    expect(j.events).toHaveLength(5);
    const big = validateTimesketchJsonl(fixture('tests/test_events/large_field_event.jsonl'), 'large_field_event.jsonl');
    expect(big.accepted).toBe(true);
    expect(big.warnings.some((w) => /FeatureVector is over 32766 bytes/.test(w))).toBe(true);
  });

  it('strict checks catch what Timesketch would silently change', () => {
    const text = [
      '{"message":"ok","datetime":"2026-01-02T02:16:40.000001+00:00","timestamp":1767320200000001,"timestamp_desc":"Event Time"}',
      '{"message":"","datetime":"2026-01-02T02:16:40","timestamp":1767320200000000,"timestamp_desc":"Event Time","_id":"x"}',
      '{"message":"m","datetime":"2026-01-02T02:16:40Z","timestamp":1767320200000001,"timestamp_desc":""}',
    ].join('\n');
    const problems = strictProblems('jsonl', text, validateTimesketchJsonl(text, 'x.jsonl'));
    expect(problems).toEqual([
      'event 2: empty message',
      'event 2: field _id would be dropped',
      'event 2: datetime has no offset',
      'event 3: empty timestamp_desc',
      'event 3: timestamp 1767320200000001 ≠ datetime 2026-01-02T02:16:40Z (1767320200000000 µs)',
    ]);
  });

  it('parses the 503-column mapping_limit_exceed.csv (one row)', () => {
    const r = validateTimesketchCsv(fixture('tests/test_events/mapping_limit_exceed.csv'), 'm.csv');
    expect(r.accepted).toBe(true);
    expect(r.events).toHaveLength(1);
    expect(Object.keys(r.events[0]!).length).toBeGreaterThan(500);
  });

  it('rejects JSONL with a missing field or broken JSON, naming the line', () => {
    expect(validateTimesketchJsonl('{"message":"a","datetime":"2020-01-01T00:00:00+00:00","timestamp_desc":"x"}\n{"datetime":"2020-01-01T00:00:00+00:00","timestamp_desc":"x"}\n', 'a.jsonl').error).toBe('Missing field(s) at line 2: message');
    expect(validateTimesketchJsonl('{"message":"a",\n', 'a.jsonl').error).toMatch(/^Error parsing JSON at line 1/);
    expect(validateTimesketchJsonl('{}', 'a.json').accepted).toBe(false);
  });
});

describe.skipIf(!TS)('dwell exports for Timesketch', () => {
  let tmp: { path: string; cleanup: () => void };
  let casePath: string;
  let total: number;
  let attackTotal: number;
  beforeAll(async () => {
    tmp = tempDir('dwell-ts-');
    casePath = await caseWithFindings(tmp.path);
    total = Number((await query(casePath, 'SELECT count(*) AS n FROM events'))[0]!.n);
    attackTotal = Number((await query(casePath, 'SELECT count(*) AS n FROM attack_events WHERE findings_id = (SELECT max(findings_id) FROM findings)'))[0]!.n);
  });
  afterAll(() => tmp?.cleanup());

  for (const what of ['timeline', 'attack'] as const) {
    it(`--what ${what} --format timesketch-jsonl is accepted as is, every event kept`, async () => {
      const out = join(tmp.path, `${what}.jsonl`);
      const r = await dwell(['export', '--case', casePath, '--what', what, '--format', 'timesketch-jsonl', '-o', out]);
      expect(r.code, r.stderr).toBe(0);
      const text = readFileSync(out, 'utf8');
      const v = validateTimesketchJsonl(text, out);
      expect(v.accepted, v.error).toBe(true);
      expect(strictProblems('jsonl', text, v)).toEqual([]);
      expect(v.events).toHaveLength(what === 'timeline' ? total : attackTotal);
      for (const e of v.events) {
        expect(e.datetime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/);
        expect(['Event Time', 'Start Time']).toContain(e.timestamp_desc);
        expect(e).toHaveProperty('source');
        expect(e).toHaveProperty('evidence_sha256');
        expect(typeof e.attrs === 'string' || e.attrs === null).toBe(true);
        if (what === 'attack') expect((e.tag as string[])[0]).toBe('dwell-attack');
      }
    });

    it(`--what ${what} --format timesketch-csv is accepted as is, every event kept, tags parsed`, async () => {
      const out = join(tmp.path, `${what}.csv`);
      const r = await dwell(['export', '--case', casePath, '--what', what, '--format', 'timesketch-csv', '-o', out]);
      expect(r.code, r.stderr).toBe(0);
      const text = readFileSync(out, 'utf8');
      const v = validateTimesketchCsv(text, out);
      expect(v.accepted, v.error).toBe(true);
      expect(strictProblems('csv', text, v)).toEqual([]);
      expect(v.events).toHaveLength(what === 'timeline' ? total : attackTotal);
      if (what === 'attack') {
        const first = v.events[0]!;
        expect(first.tag).toEqual(['dwell-attack', `phase:${first.phase}`, first.technique]);
      }
    });
  }

  it('the message is the summary and datetime is the event time, for every event', async () => {
    const r = await dwell(['export', '--case', casePath, '--what', 'timeline', '--format', 'timesketch-jsonl']);
    const rows = await query(casePath, `SELECT event_id, summary, strftime(ts, '%Y-%m-%dT%H:%M:%S.%f+00:00') AS dt, epoch_us(ts) AS us FROM events ORDER BY ts, event_id`);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.event_id, l.message, l.datetime, l.timestamp])).toEqual(rows.map((x) => [x.event_id, x.summary, x.dt, Number(x.us)]));
  });
});
