/**
 * AWS CloudTrail, in every shape responders receive it: S3 delivery files `{"Records":[…]}`
 * (`.json.gz`, pretty or on one line, whole `AWSLogs/…` trees), one record per line (CloudTrail
 * Lake and CloudWatch Logs exports, other tools' JSON lines), `aws cloudtrail lookup-events` output
 * (`{"Events":[…]}` or one event per line, each record double-encoded in `CloudTrailEvent`), bare
 * and empty arrays — and as SIEMs and pipelines hand them over: Elastic/Logstash/OpenSearch
 * documents, Splunk and Datadog exports, CloudWatch Logs subscription / Firehose deliveries,
 * EventBridge events, CloudTrail Lake results and renamed or flattened fields
 * (cloudtrail/variants/, docs/parsers.md). Digest files are recognized and recorded without events.
 *
 * Streamed: a byte scanner (cloudtrail/splitter.ts) cuts the records out with their exact offsets
 * and each record alone goes through JSON.parse, so memory is bounded by one record, not the file.
 * `line` is the JSON line for one-record-per-line files and the record's index in its array
 * otherwise; `byte_offset`/`byte_length` locate it exactly in the decompressed stream; `raw` is
 * its JSON text. Warnings name the physical line and byte of the damage.
 */
import { createHash } from 'node:crypto';
import type { DwellEvent } from '../core/event.js';
import { describeDigest, isDigest } from './cloudtrail/digest.js';
import { obj } from './cloudtrail/identity.js';
import { findJsonDamage, jsonDepth, locateInRecord } from './cloudtrail/json-damage.js';
import { ATTR_MAX_DEPTH, normalizeRecord, type Provenance } from './cloudtrail/record.js';
import { sniffCloudTrail } from './cloudtrail/sniff.js';
import { DEFAULT_MAX_RECORD_BYTES, RecordSplitter, type JunkSlice, type RecordSlice, type SeparatorDamage } from './cloudtrail/splitter.js';
import { resolveRecord, type Resolution, type Resolved } from './cloudtrail/variants/resolve.js';
import type { ParseContext, StreamParser, StreamStats } from './types.js';

type Obj = Record<string, unknown>;

/** `raw` keeps at most this many characters of a record (byte_length keeps its full length). */
const RAW_MAX_CHARS = 1 << 20;

const SAMPLES = [
  // An IAM user creates a user: one record per line, as CloudTrail Lake exports and `jq -c` write it.
  '{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","principalId":"AIDA4EXAMPLEOPSADMIN","arn":"arn:aws:iam::111122223333:user/ops-admin","accountId":"111122223333","accessKeyId":"AKIA4EXAMPLEOPSADM2Q","userName":"ops-admin"},"eventTime":"2026-02-11T09:14:03Z","eventSource":"iam.amazonaws.com","eventName":"CreateUser","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.24","userAgent":"aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1016-aws exe/x86_64.ubuntu.22 prompt/off command/iam.create-user","requestParameters":{"userName":"build-runner"},"responseElements":{"user":{"path":"/","userName":"build-runner","userId":"AIDA4EXAMPLEBUILDRUN","arn":"arn:aws:iam::111122223333:user/build-runner","createDate":"Feb 11, 2026, 9:14:03 AM"}},"requestID":"0b6f3c2e-5a1d-4e8b-9c7a-2f1e0d9c8b7a","eventID":"7d2c9e41-3b5a-4f6e-8d1c-0a9b8c7d6e5f","readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management","tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"iam.amazonaws.com"}}',
  // An S3 data event inside an S3 delivery body (one record).
  '{"Records":[{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","principalId":"AROA4EXAMPLEREADONLY:nightly-report","arn":"arn:aws:sts::111122223333:assumed-role/ReadOnly/nightly-report","accountId":"111122223333","accessKeyId":"ASIA4EXAMPLEREPORT7Z","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROA4EXAMPLEREADONLY","arn":"arn:aws:iam::111122223333:role/ReadOnly","accountId":"111122223333","userName":"ReadOnly"},"webIdFederationData":{},"attributes":{"creationDate":"2026-02-11T02:00:05Z","mfaAuthenticated":"false"}}},"eventTime":"2026-02-11T02:00:41Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"eu-west-1","sourceIPAddress":"198.51.100.70","userAgent":"Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#6.1.79 md/arch#x86_64 lang/python#3.12.2 cfg/retry-mode#legacy Botocore/1.34.69","requestParameters":{"bucketName":"acme-reports","Host":"acme-reports.s3.eu-west-1.amazonaws.com","key":"daily/2026-02-10.csv"},"responseElements":null,"additionalEventData":{"SignatureVersion":"SigV4","CipherSuite":"TLS_AES_128_GCM_SHA256","bytesTransferredIn":0,"AuthenticationMethod":"AuthHeader","bytesTransferredOut":48213},"requestID":"R7XK2M4P9QZ3B5N1","eventID":"c4e1a7b2-9d3f-4e5a-8b6c-1d2e3f4a5b6c","readOnly":true,"resources":[{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::acme-reports/daily/2026-02-10.csv"},{"accountId":"111122223333","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::acme-reports"}],"eventType":"AwsApiCall","managementEvent":false,"recipientAccountId":"111122223333","eventCategory":"Data","tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"acme-reports.s3.eu-west-1.amazonaws.com"}}]}',
];

export const cloudtrail: StreamParser = {
  kind: 'stream',
  name: 'cloudtrail',
  version: '2',
  source: 'cloudtrail',
  description: 'AWS CloudTrail: S3 delivery files {"Records":[…]} (.json.gz trees), JSON lines, lookup-events output, bare arrays; Elastic/Logstash, Splunk and Datadog exports, CloudWatch Logs subscription/Firehose, EventBridge, CloudTrail Lake results; digest files recorded',
  samples: SAMPLES,
  sniff: sniffCloudTrail,
  parse: (input, ctx) => new CloudTrailReader(ctx).read(input),
};

export { sniffCloudTrail };

/** S3 layout: AWSLogs/[o-org/]<account>/CloudTrail[-Digest|-Insight]/<region>/YYYY/MM/DD/…  */
const S3_LAYOUT = /AWSLogs\/(?:(o-[a-z0-9]+)\/)?(\d{12})\/(CloudTrail(?:-Digest|-Insight)?)\/([a-z0-9-]+)\/(\d{4})\/(\d\d)\/(\d\d)\//;

/** The S3 delivery key's parts when `path` follows the layout (evidence info `s3_layout`), else null. */
export function cloudTrailS3Layout(p: string): Record<string, string | null> | null {
  const path = p.replace(/\\/g, '/');
  const m = S3_LAYOUT.exec(path);
  return m ? { key: path.slice(m.index), organization: m[1] ?? null, account: m[2]!, prefix: m[3]!, region: m[4]!, date: `${m[5]}-${m[6]}-${m[7]}` } : null;
}

class CloudTrailReader {
  private records = 0;
  private events = 0;
  private recordWarnings = 0;
  private junkLines = 0;
  private damages = 0;
  private controls = 0;
  /** Records read out of an envelope or a rewritten shape, and records read as CloudTrail wrote them. */
  private unwrapped = 0;
  private native = 0;
  private readonly arrays = new Map<string, number>();
  private objects = 0;
  private digest = false;
  /** How records were reached (resolve layers joined), and how many each way. */
  private readonly variants = new Map<string, number>();
  /**
   * Whether the file's first record was a plain CloudTrail record: the variant is sniffed once per
   * file, and later records of a plain file go straight to the normalizer (a record that does not
   * fit is resolved on its own).
   */
  private plain: boolean | null = null;
  /** The fields of the wrapper around the current record array (a CloudWatch Logs subscription envelope). */
  private head: Obj | null = null;

  constructor(private readonly ctx: ParseContext) {}

  async read(input: AsyncIterable<unknown>): Promise<StreamStats> {
    const s3 = cloudTrailS3Layout(this.ctx.path);
    if (s3) this.ctx.setFileInfo('s3_layout', s3);
    const splitter = new RecordSplitter(
      {
        record: (s) => this.record(s),
        junk: (j) => this.junk(j),
        damage: (d) => this.damage(d),
        array: (key, _line, _offset, head) => {
          this.arrays.set(key || '[]', (this.arrays.get(key || '[]') ?? 0) + 1);
          this.head = head && key === 'logEvents' ? parseWrapperHead(head, key) : null;
        },
      },
      DEFAULT_MAX_RECORD_BYTES,
    );
    // SHA-256 of the decompressed content: what CloudTrail digest files list for each log file.
    const content = createHash('sha256');
    try {
      for await (const chunk of input) {
        content.update(chunk as Buffer);
        splitter.push(chunk as Buffer);
      }
    } catch (err) {
      // The stream failed (a truncated gzip): report the record it cut, keep the rest, and let
      // ingest mark the file partial.
      splitter.end(`the data ends here: ${(err as Error).message || String(err)}`);
      this.finish(splitter);
      throw err;
    }
    splitter.end();
    this.finish(splitter);
    this.ctx.setFileInfo('content_sha256', content.digest('hex'));
    return { records: this.records };
  }

  private finish(splitter: RecordSplitter): void {
    const ctx = this.ctx;
    const layout = [...this.arrays.keys()].map((k) => (k === '[]' ? 'array' : k));
    if (this.objects > 0) layout.push('objects');
    ctx.setFileInfo('layout', layout.length === 1 ? layout[0] : layout.length === 0 ? 'empty' : layout);
    ctx.setFileInfo('lines', splitter.lines);
    ctx.setFileInfo('record_warnings', this.recordWarnings);
    if (this.variants.size > 0) ctx.setFileInfo('variants', { ...(this.native > 0 ? { native: this.native } : {}), ...Object.fromEntries(this.variants) });
    if (this.junkLines > 0) ctx.setFileInfo('non_json_lines', this.junkLines);
    if (this.damages > 0) ctx.setFileInfo('json_damage', this.damages);
    if (this.controls > 0) ctx.setFileInfo('control_messages', this.controls);
    if (this.unwrapped > 0) ctx.setFileInfo('unwrapped_records', this.unwrapped);
    if (splitter.prefixes > 0) ctx.setFileInfo('cloudwatch_prefixes', splitter.prefixes);
    if (this.records === 0 && !this.digest && this.junkLines === 0) ctx.setFileInfo('empty', true);
  }

  private where(s: RecordSlice): string {
    if (s.kind === 'element') return `record ${s.index}${s.container ? ` of the "${s.container}" array` : ' of the array'}`;
    return `the JSON value at line ${s.line}`;
  }

  /** A record that gives no event: a warning at its start line and byte, naming it. */
  private warnRecord(s: RecordSlice, raw: string, reason: string): void {
    this.recordWarnings++;
    this.ctx.warn({ line: s.line, byte_offset: s.offset, raw: raw.slice(0, 512), reason: `${this.where(s)}: ${reason}` });
  }

  /** A record that is not valid JSON: where the damage is (line, byte) and what it is. */
  private warnInvalid(s: RecordSlice, text: string, detail: string, scannerProblem: string | null = null): void {
    const d = findJsonDamage(text);
    const at = d ? locateInRecord(text, d.index, s.line, s.offset) : null;
    const where = at ? ` at line ${at.line}, byte ${at.byte}` : '';
    // The scanner's finding (a cut line, the end of the data) says why; the strict reader says where.
    const why = scannerProblem ?? d?.what ?? detail;
    this.warnRecord(s, text, `not valid JSON${where}: ${why}${scannerProblem && d ? ` (${d.what})` : ''}`);
  }

  private record(s: RecordSlice): void {
    this.records++;
    if (s.kind === 'object') this.objects++;
    if (!s.bytes) {
      this.warnRecord(s, '', `${s.length} bytes, more than the ${DEFAULT_MAX_RECORD_BYTES >> 20} MiB one record may take${s.problem ? ` (${s.problem})` : ''}; not parsed (its bytes stay in the evidence at byte ${s.offset})`);
      return;
    }
    const text = s.bytes.toString('utf8');
    if (s.problem) {
      this.warnInvalid(s, text, s.problem, s.problem);
      return;
    }
    const lakeRow = s.first === 0x5b && s.container === 'QueryResultRows';
    if (s.first !== 0x7b && !lakeRow) {
      this.warnRecord(s, text, `not a JSON object (${s.first === 0x5b ? 'an array' : s.first === 0x22 ? 'a string' : 'a scalar'})`);
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      this.warnInvalid(s, text, (err as Error).message);
      return;
    }
    const o = lakeRow ? lakeRowObject(value) : obj(value)!;
    if (!o) {
      this.warnRecord(s, text, 'a CloudTrail Lake result row that is not a list of {column: value} pairs');
      return;
    }
    try {
      this.handle(s, o, text);
    } catch (err) {
      // A parser bug must not lose the record: keep it as a warning and carry on.
      this.warnRecord(s, text, `parser error: ${(err as Error).message}`);
    }
  }

  private handle(s: RecordSlice, o: Obj, text: string): void {
    if (s.kind === 'object' && isDigest(o)) {
      const d = describeDigest(o);
      this.digest = true;
      this.ctx.recordOnly(d.reason);
      this.ctx.setFileInfo('digest', d.info);
      this.ctx.setFileInfo('digest_log_files', d.logFiles);
      return;
    }
    const prov: Provenance = {
      line: s.kind === 'element' ? s.index : s.line,
      byte_offset: s.offset,
      byte_length: s.length,
      raw: text.length > RAW_MAX_CHARS ? text.slice(0, RAW_MAX_CHARS) : text,
    };
    let r: Resolution;
    if (this.plain === true) {
      r = { rec: o, wrapper: null, fallbackTime: null, timeField: null, layers: [], decodedFrom: null };
    } else {
      r = resolveRecord(o, { container: s.container, head: this.head });
      if (this.plain === null) this.plain = 'rec' in r && r.layers.length === 0 && typeof o.eventTime === 'string' && typeof o.sourceIPAddress === 'string';
    }
    if ('control' in r) {
      // A CloudWatch Logs control message (a health check of the destination): no record.
      this.controls++;
      this.count('cloudwatch_control_message');
      return;
    }
    if ('problem' in r) {
      this.warnRecord(s, text, r.problem);
      return;
    }
    let n = this.normalize(s, r, prov);
    if ('problem' in n && this.plain === true) {
      // A plain file's record that does not fit: resolve it on its own.
      const again = resolveRecord(o, { container: s.container, head: this.head });
      if ('rec' in again && again.layers.length > 0) {
        r = again;
        n = this.normalize(s, again, prov);
      }
    }
    if ('problem' in n) {
      this.warnRecord(s, text, n.problem);
      return;
    }
    if (r.layers.length > 0) {
      this.unwrapped++;
      this.count(r.layers.join('>'));
    } else this.native++;
    if (n.note) this.ctx.warn({ line: s.line, byte_offset: s.offset, raw: text.slice(0, 512), reason: `${this.where(s)}: ${n.note}` });
    this.emit(n.event);
  }

  private normalize(s: RecordSlice, r: Resolved, prov: Provenance) {
    const depth = r.decodedFrom !== null ? jsonDepth(r.decodedFrom) + 1 : s.maxDepth;
    return normalizeRecord(r.rec, prov, { tz: this.ctx.options.tz, depth, wrapper: r.wrapper, fallbackTime: r.fallbackTime, timeField: r.timeField });
  }

  private count(variant: string): void {
    this.variants.set(variant, (this.variants.get(variant) ?? 0) + 1);
  }

  private emit(e: DwellEvent): void {
    this.events++;
    this.ctx.emit(e);
  }

  private junk(j: JunkSlice): void {
    this.junkLines++;
    const reason = j.reason === 'not JSON' ? `line ${j.line}: not JSON (${j.length} bytes); a CloudTrail file holds JSON records only` : j.reason;
    this.ctx.warn({ line: j.line, byte_offset: j.offset, raw: j.head, reason });
  }

  private damage(d: SeparatorDamage): void {
    this.damages++;
    this.ctx.warn({ line: d.line, byte_offset: d.offset, raw: '', reason: `line ${d.line}, byte ${d.offset}: ${d.reason}` });
  }
}

/** The wrapper's fields before its record array: `{"messageType":…,"logGroup":…,"logEvents":` → an object. */
function parseWrapperHead(head: string, key: string): Obj | null {
  const at = head.lastIndexOf(`"${key}"`);
  if (at < 0) return null;
  const text = head.slice(0, at).replace(/[\s,]+$/, '') + '}';
  try {
    return obj(JSON.parse(text));
  } catch {
    return null;
  }
}

/** A CloudTrail Lake result row `[{"eventTime":"…"},{"eventName":"…"}]` as one object. */
function lakeRowObject(v: unknown): Obj | null {
  if (!Array.isArray(v)) return null;
  const out: Obj = {};
  for (const cell of v) {
    const c = obj(cell);
    if (!c) return null;
    Object.assign(out, c);
  }
  return out;
}

export { ATTR_MAX_DEPTH };
