/**
 * The CloudTrail parser (cloudtrail.ts + cloudtrail/record.ts, identity.ts, targets.ts) as SQL, for
 * the ingest fast path (src/ingest/fast/): DuckDB reads the file's lines itself and this SELECT
 * turns the records in them into the same `events` rows, value for value, that the JS parser
 * would stage.
 *
 * Two shapes: JSON lines (each non-blank line one record, `line` = the physical line) and the S3
 * delivery file `{"Records":[…]}` on one line, as CloudTrail writes it (`line` = the record's
 * 1-based index in the array, byte offsets inside the line). Anything else — pretty-printed
 * documents, envelopes, other tools' shapes, digest files — is the JS parser's (declined from the
 * head, in planCloudTrailFast).
 *
 * It covers the records the JS parser stores without a word, read as plain CloudTrail (no variant
 * layer): any other record makes the statement fail (`error()`), and the file is read by the JS
 * parser instead. What makes SQL's values equal to the JS ones, and is therefore checked per record:
 * - the record's text is exactly what DuckDB's JSON writer writes for it (`json(rec) = rec`), holds
 *   no `\u` escape, no float, exponent or integer over 15 digits, no integer-like key: then every
 *   fragment DuckDB extracts is the text JSON.stringify writes for the value the JS parser read;
 * - its top-level keys are CloudTrail's own (then the variant resolver adds no layer and nothing
 *   goes to attrs.unmapped), each once, as are the keys of the objects the normalizer reads;
 * - it has fewer than 64 `{`/`[` in all (attrs are never cut at depth 64), at most 1 MiB (raw is
 *   never cut), eventTime in CloudTrail's own UTC form, no character outside the BMP (JS cuts text
 *   in UTF-16 units), nothing in the summary safeText would escape, an address-like value only in
 *   canonical IPv4 form (the ingest gate rewrites others).
 * A duplicate key nested deeper than those objects is not detected (DuckDB keeps both copies where
 * JSON.parse keeps the last): CloudTrail never writes one; see docs/ingest-fast-path.md.
 */
import { PLAUSIBLE_FROM_US } from '../ingest/event-sanity.js';
import { ATTR_NAMES } from './cloudtrail/record.js';
import { cloudTrailS3Layout } from './cloudtrail.js';

export interface CloudTrailFastPlan {
  /** `records`: one `{"Records":[…]}` line; `lines`: one record per line. */
  shape: 'records' | 'lines';
  /** The evidence row's `info` keys the JS parser sets before its counts (s3_layout). */
  info: Record<string, unknown>;
}

const RECORDS_PREFIX = '{"Records":[';

/**
 * The plan for a file whose first lines are `headLines` (sniff head: BOM and CR removed), or the
 * reason the SQL path does not take it.
 */
export function planCloudTrailFast(path: string, headLines: string[], extra: Record<string, string>): CloudTrailFastPlan | string {
  if (Object.keys(extra).length > 0) return 'format options given with -O';
  const info: Record<string, unknown> = {};
  const s3 = cloudTrailS3Layout(path);
  if (s3) info.s3_layout = s3;
  const first = headLines.find((l) => l !== '');
  if (first === undefined) return 'no record in the head';
  if (first.startsWith(RECORDS_PREFIX)) return { shape: 'records', info };
  if (first.startsWith('{"eventVersion":') || (first.startsWith('{"') && first.endsWith('}') && first.includes('"eventTime":"'))) return { shape: 'lines', info };
  return 'not a one-line Records document nor CloudTrail records one per line';
}

/** Fields that become columns (cloudtrail/record.ts COLUMN_FIELDS) and those kept in attrs. */
const COLUMN_FIELDS = ['userIdentity', 'eventTime', 'eventSource', 'eventName', 'sourceIPAddress', 'userAgent'];
const ATTR_KEYS = Object.keys(ATTR_NAMES);

/** cloudtrail/targets.ts NAMED_PARAMS, in its order of preference. */
const NAMED_PARAMS = [
  'userName', 'roleName', 'groupName', 'instanceProfileName', 'policyArn', 'roleArn', 'secretId', 'trailName', 'dbInstanceIdentifier',
  'dbClusterIdentifier', 'dbSnapshotIdentifier', 'snapshotId', 'volumeId', 'imageId', 'keyId', 'functionName', 'logGroupName', 'stackName',
  'tableName', 'queueUrl', 'topicArn', 'repositoryName', 'clusterName', 'detectorId', 'keyName', 'groupId', 'resourceArn', 'secretArn',
  'accessKeyId', 'serialNumber', 'policyName', 'instanceId', 'permissionSetArn',
];
const NAME_PARAM_SOURCES = ['ssm.amazonaws.com', 'cloudtrail.amazonaws.com', 'secretsmanager.amazonaws.com'];
const AUTH_STS = ['AssumeRole', 'AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity', 'AssumeRoot', 'GetSessionToken', 'GetFederationToken'];
const AUTH_SSO = ['Authenticate', 'Federate', 'GetRoleCredentials', 'CreateToken', 'UserAuthentication', 'CredentialChallenge', 'CredentialVerification', 'Logout'];
const SSO_SOURCES = ['sso.amazonaws.com', 'portal.sso.amazonaws.com', 'sso-oidc.amazonaws.com', 'signin.aws', 'signin.aws.amazon.com'];
const ACCOUNT_SOURCES = ['iam.amazonaws.com', 'sso.amazonaws.com', 'sso-directory.amazonaws.com', 'identitystore.amazonaws.com'];
const ACCOUNT_VERBS = '(Create|Delete|Update|Attach|Detach|Put|Add|Remove|Change|Enable|Disable|Deactivate|Resync|Upload|Set|Tag|Untag|Reset|Provision|Associate|Disassociate|Activate).*';
const KEY_ISSUERS = ['AssumeRole', 'AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity', 'AssumeRoot', 'GetSessionToken', 'GetFederationToken', 'CreateAccessKey'];

const q = (s: string) => `'${s.replace(/'/g, "''")}'`;
const list = (xs: string[]) => `[${xs.map(q).join(', ')}]`;

/** The paths read with one parse of each record (json_extract / json_extract_string with a list). */
const PATHS: string[] = [];
const P: Record<string, number> = {};
function path(name: string, p: string): void {
  P[name] = PATHS.length + 1;
  PATHS.push(p);
}
for (const k of [...COLUMN_FIELDS, ...ATTR_KEYS]) path(k, `$.${k}`);
const UI = '$.userIdentity';
for (const k of ['type', 'arn', 'userName', 'principalId', 'accountId', 'invokedBy', 'accessKeyId', 'identityProvider', 'credentialId', 'identityStoreArn', 'onBehalfOf']) path(`ui.${k}`, `${UI}.${k}`);
path('ui.onBehalfOf.userId', `${UI}.onBehalfOf.userId`);
path('sc', `${UI}.sessionContext`);
path('issuer', `${UI}.sessionContext.sessionIssuer`);
for (const k of ['arn', 'type', 'userName', 'accountId', 'principalId']) path(`issuer.${k}`, `${UI}.sessionContext.sessionIssuer.${k}`);
path('sa.creationDate', `${UI}.sessionContext.attributes.creationDate`);
path('sa.mfaAuthenticated', `${UI}.sessionContext.attributes.mfaAuthenticated`);
path('sc.sourceIdentity', `${UI}.sessionContext.sourceIdentity`);
path('sc.webIdFederationData', `${UI}.sessionContext.webIdFederationData`);
path('sc.ec2RoleDelivery', `${UI}.sessionContext.ec2RoleDelivery`);
path('aed.MFAUsed', '$.additionalEventData.MFAUsed');
path('aed.bytesTransferredOut', '$.additionalEventData.bytesTransferredOut');
path('aed.bytesTransferredIn', '$.additionalEventData.bytesTransferredIn');
path('creds.accessKeyId', '$.responseElements.credentials.accessKeyId');
path('creds.expiration', '$.responseElements.credentials.expiration');
path('ak.accessKeyId', '$.responseElements.accessKey.accessKeyId');
path('ak.userName', '$.responseElements.accessKey.userName');
path('re.assumedRoleUser.arn', '$.responseElements.assumedRoleUser.arn');
path('re.federatedUser.arn', '$.responseElements.federatedUser.arn');
path('re.instancesSet', '$.responseElements.instancesSet');
for (const k of ['bucketName', 'key', 'name', 'names', 'instancesSet', 'instanceIds', 'snapshotIds', 'targets']) path(`rp.${k}`, `$.requestParameters.${k}`);
path('rp.copySource', '$.requestParameters."x-amz-copy-source"');
for (const k of NAMED_PARAMS) path(`rp.named.${k}`, `$.requestParameters.${k}`);

/** The JSON fragment (text) at a named path: SQL NULL when absent, `null` when JSON null. */
const X = (name: string) => `x[${P[name]}]`;
/** Paths whose string value the statement being built reads (computed once per record, as s<n>). */
const usedStrings = new Set<number>();
/** The string value at a named path when it is a non-empty JSON string (cloudtrail/identity.ts str()). */
const S = (name: string) => {
  usedStrings.add(P[name]!);
  return `s${P[name]}`;
};
/** The fragment itself under the same condition (JSON.stringify of that string). */
const SF = (name: string) => `CASE WHEN ${S(name)} IS NOT NULL THEN ${X(name)} END`;
/** s<n>: the unescaped text of a non-empty JSON string fragment (only a fragment with an escape is parsed again). */
const stringColumn = (n: number) =>
  `CASE WHEN starts_with(x[${n}], '"') AND x[${n}] <> '""' THEN CASE WHEN contains(x[${n}], '\\') THEN json_extract_string(x[${n}], '$') ELSE substr(x[${n}], 2, length(x[${n}]) - 2) END END AS s${n}`;
/** A non-empty JSON object's fragment (`obj(v) && Object.keys(v).length > 0`). */
const NONEMPTY_OBJ = (name: string) => `CASE WHEN starts_with(${X(name)}, '{') AND ${X(name)} <> '{}' THEN ${X(name)} END`;
/** identity.ts flag(): true/false from a boolean or its spellings, else NULL. */
const FLAG = (frag: string) => `CASE WHEN ${frag} IN ('true', '"true"', '"Yes"', '"yes"') THEN 'true' WHEN ${frag} IN ('false', '"false"', '"No"', '"no"') THEN 'false' END`;
const kv = (key: string, value: string) => `'"${key}":' || (${value})`;
/** cut(): at most n characters, the last one an ellipsis. */
const cut = (s: string, n: number) => `CASE WHEN length(${s}) > ${n} THEN left(${s}, ${n - 1}) || '…' ELSE ${s} END`;
const arnResource = (arn: string) => `CASE WHEN len(string_split(${arn}, ':')) >= 6 THEN array_to_string(string_split(${arn}, ':')[6:], ':') ELSE ${arn} END`;
/** A target value (targets.ts add()): a non-empty string's value, a number's text, else NULL. */
const targetValue = (frag: string) => `CASE WHEN starts_with(${frag}, '"') THEN nullif(json_extract_string(${frag}, '$'), '') WHEN regexp_full_match(${frag}, '-?[0-9]+') THEN ${frag}::VARCHAR END`;
const group = (g: number, values: string) => `list_transform(${values}, t -> {'g': ${g}, 'v': t::VARCHAR})`;
/** A group of at most one value: no lambda (they cost per row). */
const single = (g: number, when: string, value: string) => `CASE WHEN ${when} THEN [{'g': ${g}, 'v': (${value})::VARCHAR}] ELSE [] END`;
/** The characters core/sanitize.ts safeText() escapes (and TAB, which it turns into a space). */
const UNSAFE = '[\\x00-\\x1f\\x7f-\\x9f\\x{061c}\\x{200e}\\x{200f}\\x{202a}-\\x{202e}\\x{2066}-\\x{2069}]';
/** Text the ingest gate would read as an address (core/ip.ts canonicalIp): left to the JS parser. */
const ADDRESS_LIKE = '[0-9A-Fa-f:.]+(%.*)?';
const IPV4_OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const IPV4 = `${IPV4_OCTET}(\\.${IPV4_OCTET}){3}`;

/**
 * `INSERT INTO events …` from the lines table `lines` (line, text, end_offset, skipped: see
 * ingest/fast/read-lines.ts). Parameters: $eid (evidence id), $until (latest plausible time, µs).
 * `newline` is 1 (LF) or 2 (CRLF): the bytes after each line's text.
 */
export function cloudTrailInsertSql(plan: CloudTrailFastPlan, lines: string, newline: 1 | 2): string {
  const fail = (what: string) => `error('line ' || rline || ': ' || ${q(what)})`;
  const lineStart = `end_offset - strlen(text) - ${newline}`;
  const records =
    plan.shape === 'lines'
      ? `SELECT line AS rline, line - 1 - skipped AS seq, text AS rec, ${lineStart} AS off FROM ${lines} WHERE text IS NOT NULL`
      : `SELECT i AS rline, i - 1 AS seq, el AS rec, line_start + ${RECORDS_PREFIX.length} + sum(strlen(el) + 1) OVER (ORDER BY i) - strlen(el) - 1 AS off
         FROM (SELECT line_start, unnest(els) AS el, generate_subscripts(els, 1) AS i
               FROM (SELECT ${lineStart} AS line_start, line AS rline, text, json_extract(text, '$.Records[*]')::VARCHAR[] AS els FROM ${lines} WHERE text IS NOT NULL)
               WHERE CASE WHEN len(els) > 0 AND ${q(RECORDS_PREFIX)} || array_to_string(els, ',') || ']}' = text THEN true
                          ELSE ${fail('not exactly a one-line Records document')} END)`;

  const checks: [string, string][] = [
    ['a record over 1 MiB', `strlen(rec) <= ${1 << 20}`],
    ['not an object, or a \\u escape', `starts_with(rec, '{') AND NOT contains(rec, '\\u')`],
    ['not in the form DuckDB writes JSON', `json(rec) = rec`],
    ['a float, a long integer or an integer-like key', `NOT regexp_matches(rec, '"[0-9]+":|[:,\\[]-?[0-9]+(\\.[0-9]+([eE][-+]?[0-9]+)?|[eE][-+]?[0-9]+)[,}\\]]|[:,\\[]-?[0-9]{16,}[,}\\]]')`],
    ['64 or more nested values', `strlen(rec) - strlen(replace(replace(rec, '{', ''), '[', '')) < 64`],
    ['a character outside the BMP', `(strlen(rec) = length(rec) OR NOT regexp_matches(rec, '[\\x{10000}-\\x{10FFFF}]'))`],
    ['a key CloudTrail does not write, or a key twice', `len(keys) = len(list_distinct(keys)) AND list_has_all(${list([...COLUMN_FIELDS, ...ATTR_KEYS])}, keys)`],
    ...['userIdentity', 'requestParameters', 'responseElements', 'additionalEventData', 'sc'].map(
      (k): [string, string] => [`a key twice in ${k}`, `(${X(k)} IS NULL OR NOT starts_with(${X(k)}, '{') OR len(json_keys(${X(k)})) = len(list_distinct(json_keys(${X(k)}))))`],
    ),
    // eventTime and sourceIPAddress strings: the JS parser reads the file as plain CloudTrail.
    ['eventTime not in CloudTrail\'s UTC form', `regexp_full_match(${S('eventTime')}, '[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,6})?Z')`],
    ['sourceIPAddress not a string', `starts_with(${X('sourceIPAddress')}, '"')`],
    ['eventTime not a date', `ts IS NOT NULL AND strftime(ts, '%Y-%m-%d') = left(${S('eventTime')}, 10)`],
    ['eventName not a plain name', `(${S('eventName')} IS NULL OR regexp_full_match(${S('eventName')}, '[A-Za-z0-9_]+'))`],
    ['SSM targets', `(${X('rp.targets')} IS NULL OR NOT starts_with(${X('rp.targets')}, '['))`],
  ];

  const identity = [
    ['identity_type', SF('ui.type')],
    ['principal_id', SF('ui.principalId')],
    ['account', SF('ui.accountId')],
    ['user_name', SF('ui.userName')],
    ['invoked_by', SF('ui.invokedBy')],
    ['identity_provider', SF('ui.identityProvider')],
    ['credential_id', SF('ui.credentialId')],
    ['identity_store_arn', SF('ui.identityStoreArn')],
    ['on_behalf_of', NONEMPTY_OBJ('ui.onBehalfOf')],
  ].map(([k, v]) => kv(k!, v!));
  const issuerParts = [
    ['issuer_arn', SF('issuer.arn')],
    ['issuer_type', SF('issuer.type')],
    ['issuer_name', SF('issuer.userName')],
    ['issuer_account', SF('issuer.accountId')],
    ['issuer_principal_id', SF('issuer.principalId')],
  ].map(([k, v]) => `CASE WHEN starts_with(${X('issuer')}, '{') AND ${S('issuer.arn')} IS NOT NULL THEN ${kv(k!, v!)} END`);
  const identityTail = [
    `CASE WHEN created IS NOT NULL THEN ${kv('session_created', 'to_json(created)')} END`,
    `CASE WHEN ident_mfa IS NOT NULL THEN ${kv('mfa', 'coalesce(aed_mfa, ident_mfa)')} END`,
    kv('source_identity', SF('sc.sourceIdentity')),
    kv('web_id_federation', NONEMPTY_OBJ('sc.webIdFederationData')),
    `CASE WHEN starts_with(${X('sc')}, '{') THEN ${kv('ec2_role_delivery', X('sc.ec2RoleDelivery'))} END`,
  ];
  // The record's own fields in its order, under their attrs names, JSON null left out.
  const names = list(ATTR_KEYS.map((k) => ATTR_NAMES[k]!));
  const base = P[ATTR_KEYS[0]!]! - 1;
  const readOnly = P.readOnly! - base;
  const mapped = `nullif(array_to_string(list_transform(
      list_filter(list_transform(keys, k -> list_position(${list(ATTR_KEYS)}, k)), p -> p IS NOT NULL AND x[${base} + p] <> 'null'),
      p -> '"' || ${names}[p] || '":' ||
           CASE WHEN p = ${readOnly} THEN coalesce(${FLAG(X('readOnly'))}, ${X('readOnly')}) ELSE x[${base} + p] END), ','), '')`;
  const tail = [
    `CASE WHEN src_ip IS NULL AND source_ip IS NOT NULL THEN ${kv('source', SF('sourceIPAddress'))} END`,
    `CASE WHEN ident_mfa IS NULL AND aed_mfa IS NOT NULL THEN ${kv('mfa', 'aed_mfa')} END`,
    `CASE WHEN issued IS NOT NULL THEN ${kv('issued_access_key', 'to_json(issued)')} END`,
    `CASE WHEN issued IS NOT NULL AND issued_to IS NOT NULL THEN ${kv('issued_to', 'to_json(issued_to)')} END`,
    `CASE WHEN issued IS NOT NULL THEN ${kv('issued_key_expiration', SF('creds.expiration'))} END`,
    `CASE WHEN len(kept) > 1 THEN ${kv('targets', 'to_json(list_transform(kept, t -> t.v))')} END`,
    `CASE WHEN implausible THEN '"time_quality_parsed":"exact"' END`,
  ];

  // Target groups in targets.ts order; each group's values, then de-duplicated keeping the first.
  const rpObj = `starts_with(${X('requestParameters')}, '{')`;
  const wild = (frag: string, p: string) => `coalesce(list_transform(json_extract(${frag}, '${p}')::VARCHAR[], t -> ${targetValue('t')}), [])`;
  const groups = [
    single(1, `${S('rp.bucketName')} IS NOT NULL`, `'s3://' || ${S('rp.bucketName')} || coalesce('/' || ${S('rp.key')}, '')`),
    single(2, `${S('rp.bucketName')} IS NOT NULL AND ${S('rp.copySource')} IS NOT NULL`, `'s3://' || CASE WHEN starts_with(${S('rp.copySource')}, '/') THEN substr(${S('rp.copySource')}, 2) ELSE ${S('rp.copySource')} END`),
    ...NAMED_PARAMS.map((k, i) => single(3 + i, `${S(`rp.named.${k}`)} IS NOT NULL`, S(`rp.named.${k}`))),
    single(40, `${rpObj} AND source IN ${`(${NAME_PARAM_SOURCES.map(q).join(', ')})`} AND ${S('rp.name')} IS NOT NULL`, S('rp.name')),
    group(41, `CASE WHEN source IN ${`(${NAME_PARAM_SOURCES.map(q).join(', ')})`} AND starts_with(${X('rp.names')}, '[') THEN ${wild(X('rp.names'), '$[*]')} ELSE [] END`),
    group(42, `CASE WHEN starts_with(${X('rp.instancesSet')}, '{') THEN ${wild(X('rp.instancesSet'), '$.items[*].instanceId')} ELSE [] END`),
    group(43, `CASE WHEN starts_with(${X('rp.instanceIds')}, '[') THEN ${wild(X('rp.instanceIds'), '$[*]')} ELSE [] END`),
    group(44, `CASE WHEN starts_with(${X('rp.snapshotIds')}, '[') THEN ${wild(X('rp.snapshotIds'), '$[*]')} ELSE [] END`),
    single(45, `starts_with(${X('responseElements')}, '{') AND ${S('ak.userName')} IS NOT NULL`, S('ak.userName')),
    group(46, `CASE WHEN starts_with(${X('re.instancesSet')}, '{') THEN ${wild(X('re.instancesSet'), '$.items[*].instanceId')} ELSE [] END`),
    group(47, `CASE WHEN starts_with(${X('resources')}, '[') THEN list_transform(json_extract(${X('resources')}, '$[*]')::VARCHAR[], r -> CASE WHEN starts_with(r, '{') THEN ${targetValue(`CASE WHEN coalesce(json_extract(r, '$.ARN'), 'null') <> 'null' THEN json_extract(r, '$.ARN') ELSE json_extract(r, '$.arn') END`)} END) ELSE [] END`),
  ];

  const type = S('ui.type');
  const arn = S('ui.arn');
  const userName = S('ui.userName');
  const principalId = S('ui.principalId');
  const accountId = S('ui.accountId');
  const invokedBy = S('ui.invokedBy');
  const actor = `CASE ${type}
      WHEN 'IAMUser' THEN coalesce(${arn}, ${userName}, ${principalId})
      WHEN 'AssumedRole' THEN coalesce(${arn}, ${principalId})
      WHEN 'FederatedUser' THEN coalesce(${arn}, ${principalId})
      WHEN 'Root' THEN coalesce(${arn}, ${principalId}, ${accountId})
      WHEN 'AWSService' THEN coalesce(${invokedBy}, ${principalId})
      WHEN 'AWSAccount' THEN coalesce(${principalId}, ${accountId})
      WHEN 'SAMLUser' THEN coalesce(${userName}, ${principalId})
      WHEN 'WebIdentityUser' THEN coalesce(${userName}, ${principalId})
      WHEN 'IdentityCenterUser' THEN coalesce(${userName}, CASE WHEN starts_with(${X('ui.onBehalfOf')}, '{') THEN ${S('ui.onBehalfOf.userId')} END, ${principalId})
      ELSE coalesce(${arn}, ${userName}, ${principalId}, ${invokedBy}, ${accountId}) END`;
  const sessionName = `CASE ${type}
      WHEN 'IAMUser' THEN coalesce(${userName}, ${arnResource(arn)})
      WHEN 'AssumedRole' THEN coalesce(${arnResource(arn)}, ${principalId})
      WHEN 'FederatedUser' THEN coalesce(${arnResource(arn)}, ${principalId})
      WHEN 'Root' THEN 'root'
      WHEN 'AWSService' THEN NULL WHEN 'AWSAccount' THEN NULL WHEN 'IdentityCenterUser' THEN NULL
      WHEN 'SAMLUser' THEN actor WHEN 'WebIdentityUser' THEN actor
      ELSE coalesce(${arnResource(arn)}, ${userName}) END`;
  const classify = `CASE WHEN source IS NULL OR name IS NULL THEN 'other'
      WHEN source = 'signin.amazonaws.com' THEN 'authentication'
      WHEN source = 'sts.amazonaws.com' AND name IN (${AUTH_STS.map(q).join(', ')}) THEN 'authentication'
      WHEN source IN (${SSO_SOURCES.map(q).join(', ')}) AND name IN (${AUTH_SSO.map(q).join(', ')}) THEN 'authentication'
      WHEN source IN (${ACCOUNT_SOURCES.map(q).join(', ')}) AND regexp_full_match(name, '${ACCOUNT_VERBS}') THEN 'account_change'
      ELSE 'api_activity' END`;
  const count = (name: string) => `CASE WHEN regexp_full_match(${X(name)}, '-?[0-9]+') THEN ${X(name)}::BIGINT
      WHEN regexp_full_match(${X(name)}, '"[0-9]{1,15}"') THEN substr(${X(name)}, 2, length(${X(name)}) - 2)::BIGINT END`;
  const summary = `${cut('coalesce(name, action)', 120)}
      || coalesce(' (' || ${cut(`regexp_replace(source, '\\.amazonaws\\.com$', '')`, 60)} || ')', '')
      || coalesce(' by ' || ${cut('actor', 160)}, '')
      || coalesce(' from ' || ${cut('coalesce(src_ip, source_ip)', 80)}, '')
      || coalesce(' on ' || ${cut('target', 200)}, '')
      || CASE WHEN outcome = 'failure' THEN coalesce(' failed: ' || ${cut(S('errorCode'), 80)}, ' failed') ELSE '' END
      || coalesce(', issued key ' || ${cut('issued', 40)}, '')`;

  const sql = `INSERT INTO events
SELECT $eid::BIGINT * 4294967296 + seq, ts, NULL,
  CASE WHEN implausible THEN 'implausible' ELSE 'exact' END,
  'cloudtrail', class, action, outcome, NULL, actor, src_ip, NULL, NULL, NULL, NULL,
  session, access_key, target, NULL, bytes_in, bytes_out, NULL, NULL, NULL, NULL, NULL, user_agent,
  CASE WHEN length(summary) > 1000 THEN left(summary, 1000) || '…' ELSE summary END,
  ('{' || concat_ws(',', ${[...identity, ...issuerParts, ...identityTail, mapped, ...tail].join(',\n    ')}) || '}')::JSON,
  $eid, rline, off, strlen(rec), rec
FROM (
  SELECT *,
    CASE WHEN regexp_matches(summary_text, '${UNSAFE}') THEN ${fail('summary text to escape')}
         WHEN regexp_full_match(target, '${ADDRESS_LIKE}') AND (contains(target, ':') OR contains(target, '.')) THEN ${fail('a target the ingest gate would read as an address')}
         ELSE summary_text END AS summary
  FROM (
    SELECT *, ${summary} AS summary_text
    FROM (
      SELECT *,
        CASE WHEN created IS NOT NULL AND session_name <> '' THEN session_name || '@' || created
             WHEN ${type} = 'IdentityCenterUser' THEN ${S('ui.credentialId')} END AS session,
        CASE WHEN re_obj AND name IN (${KEY_ISSUERS.map(q).join(', ')}) THEN coalesce(${S('creds.accessKeyId')}, ${S('ak.accessKeyId')}) END AS issued,
        coalesce(${S('re.assumedRoleUser.arn')}, ${S('re.federatedUser.arn')}, ${S('ak.userName')}, CASE WHEN name = 'GetSessionToken' THEN actor END) AS issued_to,
        CASE WHEN kept[1].g IS NULL THEN NULL ELSE array_to_string(list_transform(list_filter(kept, t -> t.g = kept[1].g), t -> t.v), ',') END AS target,
        ${classify} AS class
      FROM (
        SELECT *, ${sessionName} AS session_name,
          CASE WHEN len(cands) < 2 THEN cands ELSE list_filter(cands, (t, i) -> list_position(list_transform(cands, c -> c.v), t.v) = i) END AS kept
        FROM (
          SELECT *,
            ${actor} AS actor,
            list_filter(flatten([${groups.join(',\n              ')}]), t -> t.v IS NOT NULL) AS cands
          FROM (
            SELECT *,
              CASE WHEN regexp_full_match(source_ip, '${IPV4}') THEN source_ip
                   WHEN regexp_full_match(source_ip, '${ADDRESS_LIKE}') THEN ${fail('an address the ingest gate would rewrite')} END AS src_ip,
              CASE WHEN ${X('eventType')} = '"AwsCloudTrailInsight"' THEN 'unknown'
                   WHEN ${S('errorCode')} IS NOT NULL THEN 'failure'
                   WHEN re_obj AND name IS NOT NULL AND json_extract(${X('responseElements')}, '$."' || name || '"') = '"Success"' THEN 'success'
                   WHEN re_obj AND name IS NOT NULL AND json_extract(${X('responseElements')}, '$."' || name || '"') = '"Failure"' THEN 'failure'
                   ELSE 'success' END AS outcome,
              CASE WHEN source IS NOT NULL OR name IS NOT NULL THEN coalesce(source, 'unknown') || ':' || coalesce(name, 'unknown') ELSE 'other' END AS action,
              CASE WHEN regexp_full_match(${S('sa.creationDate')}, '[0-9]{8}T[0-9]{6}Z')
                   THEN regexp_replace(${S('sa.creationDate')}, '^([0-9]{4})([0-9]{2})([0-9]{2})T([0-9]{2})([0-9]{2})([0-9]{2})Z$', '\\1-\\2-\\3T\\4:\\5:\\6Z')
                   ELSE ${S('sa.creationDate')} END AS created,
              ${FLAG(X('sa.mfaAuthenticated'))} AS ident_mfa,
              ${FLAG(X('aed.MFAUsed'))} AS aed_mfa,
              epoch_us(ts) < ${PLAUSIBLE_FROM_US} OR epoch_us(ts) > $until AS implausible,
              ${S('ui.accessKeyId')} AS access_key,
              ${S('userAgent')} AS user_agent,
              ${count('aed.bytesTransferredIn')} AS bytes_in,
              ${count('aed.bytesTransferredOut')} AS bytes_out
            FROM (
              SELECT *
              FROM (
                SELECT *,
                  ${S('eventSource')} AS source, ${S('eventName')} AS name, ${S('sourceIPAddress')} AS source_ip,
                  starts_with(${X('responseElements')}, '{') AS re_obj,
                  TRY_CAST(replace(left(${S('eventTime')}, -1), 'T', ' ') AS TIMESTAMP) AS ts
                FROM (SELECT *, \${STRINGS}
                      FROM (SELECT *, json_keys(rec) AS keys, json_extract(rec, ${list(PATHS)}) AS x FROM (${records})))
              )
              -- Each check by name, so a declined file says why; NULL counts as failed.
              WHERE CASE ${checks.map(([why, c]) => `WHEN (${c}) IS NOT TRUE THEN ${fail(why)}`).join('\n                ')} ELSE true END
            )
          )
        )
      )
    )
  )
)`;
  // Every S() above has registered its path by now: one column per string read.
  return sql.replace('${STRINGS}', () => [...usedStrings].sort((a, b) => a - b).map(stringColumn).join(',\n                        '));
}
