/**
 * CloudTrail digest files (`AWSLogs/<account>/CloudTrail-Digest/…`): hourly signed lists of the log
 * files delivered and their SHA-256 (of the uncompressed file). They are evidence of integrity,
 * not events: recognized, recorded, and their list kept on the evidence row so log files can be
 * checked against it (docs/schema.md, "CloudTrail digests").
 */
import { obj, str } from './identity.js';

type Obj = Record<string, unknown>;

export function isDigest(o: Obj): boolean {
  return typeof o.digestStartTime === 'string' && typeof o.digestEndTime === 'string' && (Array.isArray(o.logFiles) || typeof o.digestS3Object === 'string');
}

export interface DigestInfo {
  reason: string;
  info: Obj;
  logFiles: Obj[];
}

export function describeDigest(o: Obj): DigestInfo {
  const files = Array.isArray(o.logFiles) ? o.logFiles : [];
  const logFiles: Obj[] = [];
  for (const f of files) {
    const x = obj(f);
    if (!x) continue;
    logFiles.push({
      s3_bucket: x.s3Bucket ?? null,
      s3_object: x.s3Object ?? null,
      hash_value: x.hashValue ?? null,
      hash_algorithm: x.hashAlgorithm ?? null,
      oldest_event_time: x.oldestEventTime ?? null,
      newest_event_time: x.newestEventTime ?? null,
    });
  }
  const info: Obj = {
    account: o.awsAccountId ?? null,
    start: o.digestStartTime,
    end: o.digestEndTime,
    s3_bucket: o.digestS3Bucket ?? null,
    s3_object: o.digestS3Object ?? null,
    public_key_fingerprint: o.digestPublicKeyFingerprint ?? null,
    signature_algorithm: o.digestSignatureAlgorithm ?? null,
    previous_s3_object: o.previousDigestS3Object ?? null,
    previous_hash_value: o.previousDigestHashValue ?? null,
    oldest_event_time: o.oldestEventTime ?? null,
    newest_event_time: o.newestEventTime ?? null,
    log_files: logFiles.length,
  };
  const reason = `CloudTrail digest file (account ${str(o.awsAccountId) ?? '?'}, ${str(o.digestStartTime)} – ${str(o.digestEndTime)}, ${logFiles.length} log file hash${logFiles.length === 1 ? '' : 'es'}): integrity evidence, no events`;
  return { reason, info, logFiles };
}
