/**
 * What a CloudTrail call acted on: the common request parameters that name a resource (S3 object,
 * IAM user/role/policy, secret, parameter, instance, snapshot, key, trail, database, …), then the
 * ARNs of `resources[]`. The first group found is the event's `target`; all of them, when more
 * than one, go to `attrs.targets`.
 */
import { obj, str } from './identity.js';

type Obj = Record<string, unknown>;

/** Request parameters naming a resource, in order of preference, for any service. */
const NAMED_PARAMS = [
  'userName',
  'roleName',
  'groupName',
  'instanceProfileName',
  'policyArn',
  'roleArn',
  'secretId',
  'trailName',
  'dbInstanceIdentifier',
  'dbClusterIdentifier',
  'dbSnapshotIdentifier',
  'snapshotId',
  'volumeId',
  'imageId',
  'keyId',
  'functionName',
  'logGroupName',
  'stackName',
  'tableName',
  'queueUrl',
  'topicArn',
  'repositoryName',
  'clusterName',
  'detectorId',
  'keyName',
  'groupId',
  'resourceArn',
  'secretArn',
  'accessKeyId',
  'serialNumber',
  'policyName',
  'instanceId',
  'permissionSetArn',
] as const;

/** Services whose plain `name` / `names` parameter names the resource. */
const NAME_PARAM_SOURCES = new Set(['ssm.amazonaws.com', 'cloudtrail.amazonaws.com', 'secretsmanager.amazonaws.com']);

export interface Targets {
  target: string | null;
  /** Every target found, when there is more than one. */
  all: string[] | null;
}

const PRIORITY = new Map<string, number>(NAMED_PARAMS.map((k, i) => [k, i]));

export function findTargets(eventSource: string | null, rp: Obj | null, re: Obj | null, resources: unknown): Targets {
  const groups: string[][] = [];
  const seen: string[] = [];
  const add = (values: unknown[]) => {
    const g: string[] = [];
    for (const v of values) {
      const s = typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null;
      if (s && !seen.includes(s)) {
        seen.push(s);
        g.push(s);
      }
    }
    if (g.length > 0) groups.push(g);
  };

  if (rp) {
    const bucket = str(rp.bucketName);
    if (bucket) {
      const key = str(rp.key);
      add([key ? `s3://${bucket}/${key}` : `s3://${bucket}`]);
      const copySource = str(rp['x-amz-copy-source']);
      if (copySource) add([`s3://${copySource.replace(/^\//, '')}`]);
    }
    // The parameters present, in order of preference (records carry few parameters; the list is long).
    let named: [number, string][] | null = null;
    for (const k in rp) {
      const p = PRIORITY.get(k);
      if (p === undefined) continue;
      const v = rp[k];
      if (typeof v === 'string' && v !== '') (named ??= []).push([p, v]);
    }
    if (named) {
      if (named.length > 1) named.sort((a, b) => a[0] - b[0]);
      for (const [, v] of named) add([v]);
    }
    if (eventSource && NAME_PARAM_SOURCES.has(eventSource)) {
      if (str(rp.name)) add([rp.name]);
      if (Array.isArray(rp.names)) add(rp.names);
    }
    // EC2 `instancesSet.items[].instanceId`, SSM `instanceIds[]`, `snapshotIds`…
    const items = obj(rp.instancesSet)?.items;
    if (Array.isArray(items)) add(items.map((i) => obj(i)?.instanceId));
    if (Array.isArray(rp.instanceIds)) add(rp.instanceIds);
    if (Array.isArray(rp.snapshotIds)) add(rp.snapshotIds);
    const targets = rp.targets;
    if (Array.isArray(targets)) {
      // SSM SendCommand targets: [{key: 'InstanceIds', values: [...]}]
      for (const t of targets) {
        const o = obj(t);
        if (o && /instanceids/i.test(String(o.key ?? o.Key ?? '')) && Array.isArray(o.values ?? o.Values)) add((o.values ?? o.Values) as unknown[]);
      }
    }
  }
  if (re) {
    // The new key's user when the caller created a key for themselves (no userName parameter).
    const ak = obj(re.accessKey);
    if (ak && str(ak.userName)) add([ak.userName]);
    // RunInstances names the instances it started in its response.
    const started = obj(re.instancesSet)?.items;
    if (Array.isArray(started)) add(started.map((i) => obj(i)?.instanceId));
  }
  if (Array.isArray(resources)) {
    add(resources.map((r) => {
      const o = obj(r);
      return o ? (o.ARN ?? o.arn ?? null) : null;
    }));
  }
  if (groups.length === 0) return { target: null, all: null };
  const all = groups.length === 1 ? groups[0]! : groups.flat();
  return { target: groups[0]!.join(','), all: all.length > 1 ? all : null };
}
