/**
 * AWS VPC and Transit Gateway flow log fields (format versions 2–8, TGW version 6) and the
 * header-less layouts dwell recognises by their field count: the default format, the "all fields
 * in version order" formats, and the TGW default. Any other custom format needs its header line
 * (S3 delivery writes one) or `-O vpc-fields="version account-id …"`.
 */

export const V2_FIELDS = ['version', 'account-id', 'interface-id', 'srcaddr', 'dstaddr', 'srcport', 'dstport', 'protocol', 'packets', 'bytes', 'start', 'end', 'action', 'log-status'];
export const V3_FIELDS = ['vpc-id', 'subnet-id', 'instance-id', 'tcp-flags', 'type', 'pkt-srcaddr', 'pkt-dstaddr'];
export const V4_FIELDS = ['region', 'az-id', 'sublocation-type', 'sublocation-id'];
export const V5_FIELDS = ['pkt-src-aws-service', 'pkt-dst-aws-service', 'flow-direction', 'traffic-path'];
export const V7_FIELDS = [
  'ecs-cluster-arn', 'ecs-cluster-name', 'ecs-container-instance-arn', 'ecs-container-instance-id', 'ecs-container-id',
  'ecs-second-container-id', 'ecs-service-name', 'ecs-task-definition-arn', 'ecs-task-arn', 'ecs-task-id',
];
export const V8_FIELDS = ['reject-reason'];

/** Transit Gateway flow logs, default format (all fields). */
export const TGW_FIELDS = [
  'version', 'resource-type', 'account-id', 'tgw-id', 'tgw-attachment-id', 'tgw-src-vpc-account-id', 'tgw-dst-vpc-account-id',
  'tgw-src-vpc-id', 'tgw-dst-vpc-id', 'tgw-src-subnet-id', 'tgw-dst-subnet-id', 'tgw-src-eni', 'tgw-dst-eni', 'tgw-src-az-id',
  'tgw-dst-az-id', 'tgw-pair-attachment-id', 'srcaddr', 'dstaddr', 'srcport', 'dstport', 'protocol', 'packets', 'bytes', 'start',
  'end', 'log-status', 'type', 'packets-lost-no-route', 'packets-lost-blackhole', 'packets-lost-mtu-exceeded',
  'packets-lost-ttl-expired', 'tcp-flags', 'region', 'flow-direction', 'pkt-src-aws-service', 'pkt-dst-aws-service',
];

export const KNOWN_FIELDS = new Set([...V2_FIELDS, ...V3_FIELDS, ...V4_FIELDS, ...V5_FIELDS, ...V7_FIELDS, ...V8_FIELDS, ...TGW_FIELDS]);

/** Header-less layouts by field count: default v2 and every "all fields up to version N" format. */
export const HEADERLESS_LAYOUTS: ReadonlyMap<number, { name: string; fields: string[] }> = new Map([
  [14, { name: 'default format (version 2, 14 fields)', fields: V2_FIELDS }],
  [21, { name: 'all version 3 fields (21)', fields: [...V2_FIELDS, ...V3_FIELDS] }],
  [25, { name: 'all version 4 fields (25)', fields: [...V2_FIELDS, ...V3_FIELDS, ...V4_FIELDS] }],
  [29, { name: 'all version 5 fields (29)', fields: [...V2_FIELDS, ...V3_FIELDS, ...V4_FIELDS, ...V5_FIELDS] }],
  [39, { name: 'all version 7 fields (39)', fields: [...V2_FIELDS, ...V3_FIELDS, ...V4_FIELDS, ...V5_FIELDS, ...V7_FIELDS] }],
  [40, { name: 'all version 8 fields (40)', fields: [...V2_FIELDS, ...V3_FIELDS, ...V4_FIELDS, ...V5_FIELDS, ...V7_FIELDS, ...V8_FIELDS] }],
]);

/** Fields whose values are counts or bit masks: stored in attrs as numbers. */
export const NUMERIC_ATTR_FIELDS = new Set([
  'tcp-flags', 'traffic-path', 'packets-lost-no-route', 'packets-lost-blackhole', 'packets-lost-mtu-exceeded', 'packets-lost-ttl-expired',
]);

/**
 * Parses a format as given with `-O vpc-fields`: AWS's `${version} ${account-id} …` or plain names
 * separated by spaces or commas.
 */
export function parseFieldList(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((f) => f.replace(/^\$\{/, '').replace(/\}$/, '').trim().toLowerCase().replace(/_/g, '-'))
    .filter((f) => f.length > 0);
}
