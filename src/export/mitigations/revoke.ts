/**
 * The credential revocation plan as a commented POSIX shell script. The AWS steps are commands (run
 * from an administrator's workstation once reviewed: the script refuses to run until
 * DWELL_REVIEWED=yes); the steps on a host or a database are commented commands to run there; the
 * authorized_keys lines and cron entries to remove are shown as comments with the file and line of
 * the evidence. Every value in a command was validated (plan.ts) and is single-quoted.
 */
import type { Located, MitigationPlan } from './plan.js';
import { comment, header, shellQuote as q } from './text.js';
import type { RenderCtx } from './network.js';

const at = (l: Located) => `${l.host ? ` on ${l.host}` : ''}${l.evidence ? ` (evidence: ${l.evidence})` : ''}`;

/** A role name as a quoted SQL identifier (the name was validated: no quote can be inside). */
const ident = (name: string) => `"${name}"`;

export function renderRevokeSh(p: MitigationPlan, c: RenderCtx): string {
  const L: string[] = ['#!/bin/sh', ...header('credential revocation plan', c.generatedAt, p.caseFrom), 'set -eu'];
  L.push('if [ "${DWELL_REVIEWED:-}" != yes ]; then', '  echo "Review this plan first, then run it with DWELL_REVIEWED=yes" >&2', '  exit 1', 'fi', '');

  L.push(comment('1. AWS access keys the attacker used: deactivate (delete once nothing legitimate needs them).'));
  for (const k of p.keysUsed) L.push(`aws iam update-access-key --access-key-id ${q(k)} --status Inactive --user-name "$(aws iam get-access-key-last-used --access-key-id ${q(k)} --query UserName --output text)"`);
  if (!p.keysUsed.length) L.push(comment('none'));
  L.push('', comment('2. AWS access keys the attacker created: deactivate, then delete.'));
  for (const k of p.keysCreated) {
    L.push(`OWNER=$(aws iam get-access-key-last-used --access-key-id ${q(k)} --query UserName --output text)`);
    L.push(`aws iam update-access-key --access-key-id ${q(k)} --status Inactive --user-name "$OWNER"`, `aws iam delete-access-key --access-key-id ${q(k)} --user-name "$OWNER"`);
  }
  if (!p.keysCreated.length) L.push(comment('none'));
  L.push('', comment('3. Console passwords the attacker set: delete the login profile.'));
  for (const u of p.loginProfiles) L.push(`aws iam delete-login-profile --user-name ${q(u)}`);
  if (!p.loginProfiles.length) L.push(comment('none'));
  L.push('', comment('4. IAM users the attacker created: remove what keeps them alive, then delete them.'));
  for (const u of p.iamUsersCreated) {
    L.push(`for K in $(aws iam list-access-keys --user-name ${q(u)} --query 'AccessKeyMetadata[].AccessKeyId' --output text); do aws iam delete-access-key --user-name ${q(u)} --access-key-id "$K"; done`);
    L.push(`for P in $(aws iam list-attached-user-policies --user-name ${q(u)} --query 'AttachedPolicies[].PolicyArn' --output text); do aws iam detach-user-policy --user-name ${q(u)} --policy-arn "$P"; done`);
    L.push(`for P in $(aws iam list-user-policies --user-name ${q(u)} --query 'PolicyNames[]' --output text); do aws iam delete-user-policy --user-name ${q(u)} --policy-name "$P"; done`);
    L.push(`for G in $(aws iam list-groups-for-user --user-name ${q(u)} --query 'Groups[].GroupName' --output text); do aws iam remove-user-from-group --user-name ${q(u)} --group-name "$G"; done`);
    L.push(`aws iam delete-login-profile --user-name ${q(u)} || true`, `aws iam delete-user --user-name ${q(u)}`);
  }
  if (!p.iamUsersCreated.length) L.push(comment('none'));
  L.push('', comment(`5. Roles whose sessions the attacker held: deny every session issued before ${p.revokeBefore} (the console's "Revoke active sessions").`));
  const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: ['*'], Resource: ['*'], Condition: { DateLessThan: { 'aws:TokenIssueTime': p.revokeBefore } } }] });
  for (const r of p.roles) L.push(`aws iam put-role-policy --role-name ${q(r)} --policy-name AWSRevokeOlderSessions --policy-document ${q(policy)}`);
  if (!p.roles.length) L.push(comment('none'));

  L.push('', comment('6. On each host (run there, as root): lock or remove local accounts.'));
  for (const u of p.localUsersCreated) L.push(comment(`created by the attacker${at(u)}:`), `# userdel -r ${q(u.value)}`);
  for (const u of p.localUsersUsed) L.push(comment(`used by the attacker${at(u)}: lock, then reset the password with its owner`), `# usermod -L ${q(u.value)}`);
  if (!p.localUsersCreated.length && !p.localUsersUsed.length) L.push(comment('none'));
  L.push('', comment('7. Databases (run with psql as a superuser on the database host).'));
  for (const d of p.dbRolesCreated) L.push(comment(`created by the attacker${at(d)}:`), `# psql -c ${q(`ALTER ROLE ${ident(d.value)} NOLOGIN;`)} && psql -c ${q(`DROP ROLE ${ident(d.value)};`)}`);
  for (const d of p.dbRolesUsed) L.push(comment(`used by the attacker${at(d)}: change its password (and the applications' copy)`), `# psql -c ${q(`ALTER ROLE ${ident(d.value)} PASSWORD NULL;`)}`);
  if (!p.dbRolesCreated.length && !p.dbRolesUsed.length) L.push(comment('none'));
  L.push('', comment('8. Lines to remove by hand (shown as found in the evidence; check the file on the host).'));
  for (const k of p.authorizedKeys) L.push(comment(`authorized_keys${at(k)}: ${k.value}`));
  for (const k of p.cron) L.push(comment(`cron entry${at(k)}: ${k.value}`));
  if (!p.authorizedKeys.length && !p.cron.length) L.push(comment('none'));
  if (p.rejected.length) {
    L.push('', comment('Not used in any command (did not validate): check these by hand.'));
    for (const r of p.rejected) L.push(comment(`${r.what} (${r.why}): ${r.value}`));
  }
  return L.join('\n') + '\n';
}
