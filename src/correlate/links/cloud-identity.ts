/** The principal behind a cloud API call: an IAM user or root, or a role session and its role. */
import { parseAttrs, type EventRow } from '../classify.js';
import type { Footprint } from '../model.js';

export const isSessionArn = (a: string | null): boolean => !!a && /:assumed-role\/|:federated-user\//.test(a);

/** No identity at all: an unauthenticated request (a public bucket's website) compromises no principal. */
export const isAnonymous = (a: string | null): boolean => !a || /^(ANONYMOUS_PRINCIPAL|anonymous)$/i.test(a);

export function addCloudIdentity(fp: Footprint, r: EventRow, reason: string): void {
  if (isAnonymous(r.actor)) return;
  if (!r.actor) return;
  if (isSessionArn(r.actor)) {
    fp.touch(fp.add('session', r.actor, null, 'assumed', reason, { compromisedAtUs: r.ts_us }), r.ts_us, r.event_id);
    const issuer = parseAttrs(r).issuer_arn as string | undefined;
    if (issuer) fp.touch(fp.add('iam_principal', issuer, null, 'assumed', `role of session ${r.actor}`), r.ts_us, r.event_id);
  } else {
    fp.touch(fp.add('iam_principal', r.actor, null, null, reason, { compromisedAtUs: r.ts_us }), r.ts_us, r.event_id);
  }
}
