/**
 * Is the head of a file CloudTrail, and in which of the shapes responders receive it? Looks for
 * quoted field names only (no parsing): CloudTrail's own, their escaped form inside a string
 * (records carried in `message`, `_raw`, `CloudTrailEvent`), Elastic's ECS names, the lower-case
 * and snake_case names of CloudTrail Lake / Athena, and the envelopes' own keys. The reason names
 * the shape, for `dwell sniff`.
 */
import type { SniffHead, SniffMatch } from '../types.js';

const CLOUDWATCH_LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z\s\{/;
const RECORD_KEYS = ['eventVersion', 'eventSource', 'eventName', 'eventTime', 'userIdentity', 'awsRegion', 'sourceIPAddress', 'eventID'];
const LOWER_KEYS = ['eventversion', 'eventsource', 'eventname', 'eventtime', 'useridentity', 'awsregion', 'sourceipaddress', 'eventid'];
const SNAKE_KEYS = ['event_version', 'event_source', 'event_name', 'event_time', 'user_identity', 'aws_region', 'source_ip_address', 'event_id'];

export function sniffCloudTrail(head: SniffHead): SniffMatch | null {
  const t = head.text;
  let i = 0;
  while (i < t.length && (t[i] === ' ' || t[i] === '\n' || t[i] === '\r' || t[i] === '\t')) i++;
  const first = t[i];
  const cloudwatch = first !== '{' && first !== '[' && CLOUDWATCH_LINE.test(t.slice(i, i + 40));
  if (first !== '{' && first !== '[' && !cloudwatch) return null;
  const has = (k: string) => t.includes(`"${k}"`);
  const count = (keys: string[], quote = '"') => keys.filter((k) => t.includes(`${quote}${k}${quote}`)).length;
  if (has('digestStartTime') && has('digestEndTime') && (has('logFiles') || has('digestS3Object'))) {
    return { confidence: 95, reason: 'CloudTrail digest file (digestStartTime, logFiles)' };
  }
  const keys = count(RECORD_KEYS);
  const escapedKeys = count(RECORD_KEYS, '\\"');
  const rest = t.slice(i);
  const of = (n: number, total = RECORD_KEYS.length) => `${n}/${total} record fields`;
  const recordsWrapper = /^\{\s*"Records"\s*:\s*\[/.test(rest);
  if (recordsWrapper && (keys >= 3 || /^\{\s*"Records"\s*:\s*\[\s*\]\s*\}\s*$/.test(rest))) {
    const datadog = has('network') && (has('evt') || has('useragent')) && !has('sourceIPAddress') ? ' as exported from Datadog (network.client.ip, http.useragent, evt.name)' : '';
    return { confidence: 95, reason: `CloudTrail S3 delivery file {"Records":[…]}${datadog}${keys >= 3 ? `, ${of(keys)}` : ' (empty)'}` };
  }
  if (has('CloudTrailEvent') && has('EventId') && escapedKeys >= 3) {
    return { confidence: 90, reason: 'aws cloudtrail lookup-events output (records double-encoded in CloudTrailEvent)' };
  }
  if (has('messageType') && has('logEvents') && (escapedKeys >= 3 || /"CONTROL_MESSAGE"/.test(t))) {
    return escapedKeys >= 3
      ? { confidence: 92, reason: `CloudWatch Logs subscription / Firehose delivery {"messageType":…,"logEvents":[…]}: CloudTrail records in each message, ${of(escapedKeys)}` }
      : { confidence: 30, reason: 'CloudWatch Logs subscription delivery holding control messages only (no CloudTrail record in the head)' };
  }
  if (has('logStreamName') && has('message') && escapedKeys >= 3) {
    return { confidence: 85, reason: 'CloudWatch Logs events whose message is a CloudTrail record' };
  }
  if (has('data') && /"type"\s*:\s*"log"/.test(t) && has('attributes') && keys >= 3) {
    return { confidence: 90, reason: `Datadog log search API response {"data":[{"attributes":{"attributes":record}}]} (network.client.ip, http.useragent, evt.name), ${of(keys)}` };
  }
  if (has('preview') && has('result') && !has('_raw') && (keys >= 2 || t.includes('"userIdentity.'))) {
    return { confidence: 90, reason: `Splunk export (JSON) of a table of CloudTrail fields (no _raw; dotted names such as userIdentity.arn, _time for a missing eventTime), ${of(keys)}` };
  }
  if (has('_raw') && escapedKeys >= 3) {
    return { confidence: 90, reason: `Splunk export (JSON): CloudTrail records in _raw (_time, sourcetype around them), ${of(escapedKeys)}` };
  }
  if (has('original') && has('cloudtrail') && escapedKeys >= 3) {
    return { confidence: 92, reason: `Elastic AWS integration documents (ECS) keeping each CloudTrail record in event.original, ${of(escapedKeys)}` };
  }
  if (has('@timestamp') && (has('message') || has('original')) && escapedKeys >= 3 && keys < 3) {
    return { confidence: 88, reason: `Elastic / Logstash documents holding the CloudTrail record as text (message or event.original), ${of(escapedKeys)}` };
  }
  if ((has('cloudtrail') && (has('user_identity') || has('event_version') || has('event_type'))) || t.includes('"aws.cloudtrail.')) {
    return { confidence: 90, reason: 'Elastic AWS integration documents (ECS: @timestamp, event.provider, event.action, source.ip, aws.cloudtrail.*)' };
  }
  if (has('detail-type') && has('detail') && (t.includes('via CloudTrail"') || keys >= 3)) {
    return { confidence: 92, reason: `EventBridge events ("detail-type": "AWS API Call via CloudTrail"): the record in detail, ${of(keys)}` };
  }
  if (has('QueryResultRows') && (keys >= 2 || count(LOWER_KEYS) >= 2)) {
    return { confidence: 90, reason: 'CloudTrail Lake query results (get-query-results: QueryResultRows of column/value pairs)' };
  }
  if (keys >= 4) {
    const envelope = has('_source') && has('_index') ? ' in Elasticsearch hits (_source)' : has('@timestamp') ? ' with Logstash/Elastic fields (@timestamp)' : has('network') && has('evt') && !has('sourceIPAddress') ? ' as exported from Datadog' : '';
    const shape = cloudwatch ? 'CloudWatch Logs export lines' : first === '[' ? 'a JSON array' : 'JSON objects / lines';
    return { confidence: 90, reason: `CloudTrail records${envelope} as ${shape}, ${of(keys)}` };
  }
  const prefixed = (names: string[]) => names.filter((k) => t.includes(`"${k}.`)).length;
  const dotted = prefixed(['userIdentity', 'requestParameters', 'responseElements', 'tlsDetails', 'additionalEventData']);
  const lower = count(LOWER_KEYS) + prefixed(['useridentity']);
  const snake = count(SNAKE_KEYS);
  if (lower >= 4 || snake >= 4 || (dotted >= 1 && keys + dotted >= 4)) {
    return { confidence: 85, reason: `CloudTrail records with renamed fields (${lower >= 4 ? 'lower-case, as CloudTrail Lake / Athena write them' : snake >= 4 ? 'snake_case' : 'flattened to dotted keys'})` };
  }
  if (recordsWrapper) return { confidence: 70, reason: 'JSON object with a "Records" array (CloudTrail S3 delivery shape)' };
  if (/^\[\s*\]\s*$/.test(rest)) return { confidence: 25, reason: 'an empty JSON array (no records)' };
  return null;
}
