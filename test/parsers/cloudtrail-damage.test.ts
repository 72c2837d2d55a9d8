/**
 * Damaged CloudTrail files and near-variants (issue 13): one broken record in an array, a
 * document or JSON lines costs that record only, and its warning names the line and byte of the
 * damage; a file that is almost a variant (an Elastic document without any time, a Firehose
 * envelope whose message is not JSON, a Splunk _raw that is not JSON, a CSV row cut short) gets
 * one clear warning per record, and every other record is read.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { DwellEvent } from '../../src/core/event.js';
import { LocalZone } from '../../src/core/time.js';
import { cloudtrail } from '../../src/parsers/cloudtrail.js';
import { cloudtrailCsv } from '../../src/parsers/cloudtrail-csv.js';
import type { ParseContext, ParseWarning } from '../../src/parsers/types.js';
import { runParser } from '../helpers/run-parser.js';

const REC = (i: number, extra = '') =>
  `{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/u${i}","accountId":"111122223333","userName":"u${i}"},"eventTime":"2026-03-02T01:00:${String(i % 60).padStart(2, '0')}Z","eventSource":"ec2.amazonaws.com","eventName":"DescribeRegions","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.${i % 250}","userAgent":"test","eventID":"e${i}"${extra}}`;
const pretty = (i: number) => JSON.stringify(JSON.parse(REC(i)), null, 2);
/** 1-based line of character `index` of `text`. */
const lineOf = (text: string, index: number) => text.slice(0, index).split('\n').length;

/** The parser over `input` in chunks of `size` bytes: results must not depend on the boundaries. */
async function chunked(input: string, size: number) {
  const events: DwellEvent[] = [];
  const warnings: ParseWarning[] = [];
  const info: Record<string, unknown> = {};
  const ctx: ParseContext = {
    path: 'x.json', mtimeMs: 0, options: { tz: new LocalZone('UTC'), extra: {} },
    emit: (e) => events.push(e), warn: (w) => warnings.push(w), setYearShift: () => undefined, setFileInfo: (k, v) => (info[k] = v), recordOnly: () => undefined,
  };
  const buf = Buffer.from(input);
  const chunks: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) chunks.push(buf.subarray(i, i + size));
  await cloudtrail.parse(Readable.from(chunks), ctx);
  return { events, warnings, info };
}

describe('damaged CloudTrail JSON', () => {
  it('reads both records around a missing comma and names the line and byte where it is missing', async () => {
    // As in the Datadog export of corpus-attacks/stratus-red-team-datadog-export: `}` then `{` on the next line.
    const text = `{\n  "Records": [\n${pretty(1)}\n${pretty(2)},\n${pretty(3)}\n  ]\n}\n`;
    const run = await runParser(cloudtrail, text);
    expect(run.events.map((e) => e.attrs!.event_id)).toEqual(['e1', 'e2', 'e3']);
    const at = text.indexOf(pretty(2));
    expect(run.warnings).toEqual([
      { line: lineOf(text, at), byte_offset: at, raw: '', reason: `line ${lineOf(text, at)}, byte ${at}: no comma between records 1 and 2 of the "Records" array: the file is not valid JSON; both records are read` },
    ]);
    expect(run.info.json_damage).toBe(1);
    for (const size of [1, 5, 64]) expect(await chunked(text, size)).toMatchObject({ events: run.events, warnings: run.warnings });
  });

  it('reports a doubled comma and a comma before the closing bracket, and loses nothing', async () => {
    const text = `[${REC(1)},,${REC(2)},]`;
    const run = await runParser(cloudtrail, text);
    expect(run.events).toHaveLength(2);
    expect(run.warnings.map((w) => [w.byte_offset, w.reason.replace(/^line 1, byte \d+: /, '')])).toEqual([
      [text.indexOf(',,') + 1, 'two commas in a row in the array (the file is not valid JSON; nothing is lost)'],
      [text.length - 2, 'a comma before the "]" that closes the array (the file is not valid JSON; nothing is lost)'],
    ]);
  });

  it('keeps every other record of a bare pretty array when one is broken, and names the damage', async () => {
    const broken = pretty(2).replace('"awsRegion": "us-east-1"', '"awsRegion": us-east-1');
    const text = `[\n${[pretty(1), broken, pretty(3)].join(',\n')}\n]\n`;
    const run = await runParser(cloudtrail, text);
    expect(run.events.map((e) => e.attrs!.event_id)).toEqual(['e1', 'e3']);
    const start = text.indexOf(broken);
    const damage = text.indexOf('us-east-1', start) ;
    expect(run.warnings).toHaveLength(1);
    expect(run.warnings[0]).toMatchObject({ line: lineOf(text, start), byte_offset: start });
    expect(run.warnings[0]!.reason).toBe(`record 2 of the array: not valid JSON at line ${lineOf(text, damage)}, byte ${damage}: a value expected, found "u"`);
  });

  it('keeps the other lines of JSON lines when one is broken, naming its line and the byte of the damage', async () => {
    const bad = REC(2).replace('"eventName":"DescribeRegions"', '"eventName":"DescribeRegions""x":1');
    const text = `${REC(1)}\n${bad}\n${REC(3)}\n`;
    const run = await runParser(cloudtrail, text);
    expect(run.events.map((e) => e.line)).toEqual([1, 3]);
    const damage = text.indexOf('"x":1');
    expect(run.warnings).toEqual([{ line: 2, byte_offset: REC(1).length + 1, raw: bad, reason: `the JSON value at line 2: not valid JSON at line 2, byte ${damage}: "," or "}" expected after a value, found "\\""` }]);
  });

  it('counts multi-byte characters in the byte of the damage', async () => {
    const bad = REC(2).replace('"userAgent":"test"', '"userAgent":"tést ☃" oops');
    const text = `${REC(1)}\n${bad}\n`;
    const run = await runParser(cloudtrail, text);
    const byte = Buffer.byteLength(text.slice(0, text.indexOf(' oops') + 1));
    expect(run.warnings[0]!.reason).toContain(`at line 2, byte ${byte}:`);
  });
});

describe('files that are almost a variant', () => {
  it('warns once per Elastic document with neither eventTime nor @timestamp, naming its line, and reads the others', async () => {
    const doc = (i: number, time: boolean) => {
      const o = JSON.parse(REC(i)) as Record<string, unknown>;
      const t = o.eventTime;
      delete o.eventTime;
      return JSON.stringify({ ...o, ...(time ? { '@timestamp': t } : {}), '@version': '1', tags: ['cloudtrail'] });
    };
    const text = [doc(1, true), doc(2, false), doc(3, true), doc(4, false)].join('\n') + '\n';
    const run = await runParser(cloudtrail, text);
    expect(run.events.map((e) => [e.line, e.attrs!.time_field])).toEqual([[1, '@timestamp'], [3, '@timestamp']]);
    expect(run.warnings.map((w) => [w.line, w.reason])).toEqual([
      [2, 'the JSON value at line 2: record has no eventTime (nor @timestamp, _time, timestamp or time) (eventName DescribeRegions, eventID e2)'],
      [4, 'the JSON value at line 4: record has no eventTime (nor @timestamp, _time, timestamp or time) (eventName DescribeRegions, eventID e4)'],
    ]);
  });

  it('warns once per log event of a Firehose delivery whose message is not JSON, and reads the others', async () => {
    const env = {
      messageType: 'DATA_MESSAGE', owner: '111122223333', logGroup: 'trail', logStream: '111122223333_CloudTrail_us-east-1', subscriptionFilters: ['f'],
      logEvents: [{ id: '1', timestamp: 1772413200000, message: REC(1) }, { id: '2', timestamp: 1772413201000, message: 'ERROR: {"eventVersion": truncated' }, { id: '3', timestamp: 1772413202000, message: REC(3) }],
    };
    const text = JSON.stringify(env, null, 1) + '\n';
    const run = await runParser(cloudtrail, text);
    expect(run.events.map((e) => e.attrs!.event_id)).toEqual(['e1', 'e3']);
    expect(run.warnings).toHaveLength(1);
    const at = text.lastIndexOf('{', text.indexOf('"id": "2"'));
    expect(run.warnings[0]).toMatchObject({ line: lineOf(text, at), byte_offset: at });
    expect(run.warnings[0]!.reason).toMatch(/^record 2 of the "logEvents" array: message is not valid JSON: /);
  });

  it('warns about a Splunk result whose _raw is not JSON', async () => {
    const text = [
      JSON.stringify({ preview: false, offset: 0, result: { _raw: REC(1), _time: '2026-03-02T01:00:01.000+00:00', sourcetype: 'aws:cloudtrail' } }),
      JSON.stringify({ preview: false, offset: 1, result: { _raw: 'Mar  2 01:00:02 host sshd[1]: not cloudtrail', _time: '2026-03-02T01:00:02.000+00:00', sourcetype: 'syslog' } }),
    ].join('\n') + '\n';
    const run = await runParser(cloudtrail, text);
    expect(run.events).toHaveLength(1);
    expect(run.warnings.map((w) => [w.line, w.reason.replace(/: Unexpected.*$/, '')])).toEqual([[2, 'the JSON value at line 2: _raw is not valid JSON']]);
  });

  it('counts a CloudWatch Logs control message without an event or a warning', async () => {
    const text = JSON.stringify({ messageType: 'CONTROL_MESSAGE', owner: 'CloudwatchLogs', logGroup: '', logStream: '', subscriptionFilters: [], logEvents: [{ id: '', timestamp: 1, message: 'CWL CONTROL MESSAGE: Checking health of destination Firehose.' }] });
    const run = await runParser(cloudtrail, text);
    expect(run.events).toEqual([]);
    expect(run.warnings).toEqual([]);
    expect(run.info.control_messages).toBe(1);
  });
});

describe('damaged CloudTrail CSV', () => {
  const header = '"eventtime","eventsource","eventname","sourceipaddress","useridentity.arn"';
  const row = (i: number) => `"2026-03-02T01:00:0${i}Z","ec2.amazonaws.com","DescribeRegions","198.51.100.${i}","arn:aws:iam::111122223333:user/u${i}"`;

  it('keeps a row with the wrong number of fields as a warning naming its line and byte', async () => {
    const cut = '"2026-03-02T01:00:02Z","ec2.amazonaws.com","DescribeRegions"';
    const text = [header, row(1), cut, row(3)].join('\n') + '\n';
    const run = await runParser(cloudtrailCsv, text);
    expect(run.events.map((e) => e.line)).toEqual([2, 4]);
    expect(run.warnings).toEqual([{ line: 3, byte_offset: text.indexOf(cut), raw: cut, reason: 'row at line 3: 3 fields where the header has 5 (a damaged or cut row); not read' }]);
    expect(run.dispositions).toMatchObject({ meta: 1, record: 3 });
  });

  it('does not let an unclosed quote swallow the rows after it', async () => {
    const open = row(2).replace('"DescribeRegions"', '"DescribeRegions');
    const text = [header, row(1), open, row(3), row(4)].join('\n') + '\n';
    const run = await runParser(cloudtrailCsv, text);
    expect(run.events.map((e) => e.line)).toEqual([2, 4, 5]);
    expect(run.warnings).toHaveLength(1);
    expect(run.warnings[0]).toMatchObject({ line: 3, byte_offset: text.indexOf(open) });
    expect(run.warnings[0]!.reason).toMatch(/^row at line 3: a quoted field is not closed .*lines from 4 read again as rows/);
  });

  it('reads a header repeated by concatenated exports as a header', async () => {
    const run = await runParser(cloudtrailCsv, [header, row(1), header, row(2)].join('\n') + '\n');
    expect(run.events).toHaveLength(2);
    expect(run.warnings).toEqual([]);
  });
});

describe('hostile shapes in the variants', () => {
  it('reads a record whose struct text and dotted keys are absurdly deep without losing it', async () => {
    const deep = '{a='.repeat(50_000) + '1' + '}'.repeat(50_000);
    const dots = 'userIdentity' + '.x'.repeat(20_000);
    const lower = { eventtime: '2026-03-02 01:00:00.000', eventsource: 'ec2.amazonaws.com', eventname: 'DescribeRegions', sourceipaddress: '198.51.100.1', useridentity: deep, [dots]: 'v', requestparameters: deep };
    const run = await runParser(cloudtrail, JSON.stringify(lower) + '\n');
    expect(run.warnings).toEqual([]);
    expect(run.events).toHaveLength(1);
    expect(run.events[0]).toMatchObject({ action: 'ec2.amazonaws.com:DescribeRegions', src_ip: '198.51.100.1' });
    // Kept as the text it was, not guessed.
    expect((run.events[0]!.attrs!.request_parameters as string).length).toBe(deep.length);
  });

  it('does the same for a CSV row', async () => {
    const deep = '[' .repeat(40_000) + ']'.repeat(40_000);
    const text = `eventtime,eventsource,eventname,useridentity,resources\n2026-03-02T01:00:00Z,ec2.amazonaws.com,DescribeRegions,"${'{a='.repeat(40_000)}1${'}'.repeat(40_000)}",${deep}\n`;
    const run = await runParser(cloudtrailCsv, text);
    expect(run.events).toHaveLength(1);
    expect(run.events[0]!.action).toBe('ec2.amazonaws.com:DescribeRegions');
  });
});
