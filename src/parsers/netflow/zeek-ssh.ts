/**
 * Zeek ssh.log in the shared vocabulary: a login the sensor saw succeed is the same fact as sshd's
 * "Accepted …" line (`ssh_login`), a failed one the same as "Failed password …" (`ssh_login_failed`),
 * so detection rules written for auth.log read network evidence unchanged. What the sensor cannot
 * see is said, not guessed: the account (`actor` stays null, `attrs.user_visible = false`), and the
 * server's name (`host` stays null; the server is `dst_ip`, the sensor moves to `attrs.sensor`).
 * A connection whose outcome Zeek could not tell (`auth_success` unset) is an `ssh_connection`.
 */
import type { DwellEvent } from '../../core/event.js';

export function sshLogVocabulary(event: DwellEvent, attrs: Record<string, unknown>): void {
  const ok = attrs.auth_success;
  const attempts = typeof attrs.auth_attempts === 'number' ? attrs.auth_attempts : null;
  if (event.host) attrs.sensor = event.host;
  event.host = null;
  event.protocol = 'ssh';
  attrs.user_visible = false;
  const peer = `${event.src_ip ?? '?'}${event.src_port !== null && event.src_port !== undefined ? `:${event.src_port}` : ''} -> ${event.dst_ip ?? '?'}${event.dst_port !== null && event.dst_port !== undefined ? `:${event.dst_port}` : ''}`;
  if (ok === true) {
    Object.assign(event, { class: 'authentication', action: 'ssh_login', outcome: 'success', summary: `ssh login accepted ${peer} (seen by a network sensor; user not visible)` });
  } else if (ok === false) {
    if (attempts !== null && attempts > 1) attrs.repeated = attempts;
    Object.assign(event, { class: 'authentication', action: 'ssh_login_failed', outcome: 'failure', summary: `ssh login failed ${peer}${attempts ? ` (${attempts} attempts)` : ''} (seen by a network sensor; user not visible)` });
  } else {
    Object.assign(event, { class: 'network_activity', action: 'ssh_connection', outcome: 'unknown', summary: `ssh connection ${peer}, authentication outcome not seen by the sensor` });
  }
}
