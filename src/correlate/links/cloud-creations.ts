/** What an attacker's successful cloud call created: keys, role sessions, IAM users — all theirs. */
import { cloudEventName, parseAttrs, type EventRow } from '../classify.js';
import { isCloudCall } from '../../core/vocabulary.js';
import type { Entity, Footprint } from '../model.js';
import { isSessionArn } from './cloud-identity.js';

export function followCloudCreations(fp: Footprint, r: EventRow, from: Entity): void {
  if (!isCloudCall(r.action) || r.outcome === 'failure') return;
  const a = parseAttrs(r);
  const name = cloudEventName(r);
  const issued = a.issued_access_key as string | undefined;
  if (issued) {
    fp.add('access_key', issued, null, name === 'CreateAccessKey' ? 'backdoor' : 'issued_by_assume_role', `issued by ${name} with ${from.value}`, { createdByAttacker: true, eventIds: [r.event_id] });
    const to = a.issued_to as string | undefined;
    if (to && isSessionArn(to)) fp.add('session', to, null, 'assumed', `role session started by ${name} with ${from.value}`, { eventIds: [r.event_id], createdByAttacker: true });
  }
  const req = (a.request_parameters ?? {}) as Record<string, unknown>;
  if (name === 'CreateUser' && typeof req.userName === 'string') {
    const account = (a.recipient_account ?? a.account) as string | undefined;
    const arn = account ? `arn:aws:iam::${account}:user/${req.userName}` : req.userName;
    fp.add('iam_principal', arn, null, 'backdoor', `created by the attacker (${from.value})`, { createdByAttacker: true, eventIds: [r.event_id] });
  }
}
