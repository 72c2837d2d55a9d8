/**
 * Back doors told once per account: what came with an account the attacker created is part of it.
 * Used by the findings (findings.ts) on the back doors the links and the events show.
 */
import type { EventRow } from './classify.js';

/**
 * An account the attacker created is one back door with what came with it: the admin group its
 * useradd put it in (the same process's own line) and the password set on it (its credential) —
 * removing the account removes both. A group granted later by a command of its own (usermod,
 * gpasswd) stays listed: a privilege escalation step to check; so does a password set on an account
 * the attacker did not create (a new way into an existing account).
 */
export function foldIntoCreatedAccounts<B extends { kind: string; value: string; host: string | null; event_ids: number[] }>(list: B[], byId: Map<number, EventRow>): B[] {
  const created = new Map(list.filter((b) => b.kind === 'local_user').map((b) => [`${b.host}\u0000${b.value}`, b]));
  const account = (b: B, owner: string) => created.get(`${b.host}\u0000${owner}`);
  return list.filter((b) => {
    let into: B | undefined;
    if (b.kind === 'password_set') into = account(b, b.value);
    else if (b.kind === 'admin_group') {
      const acc = account(b, b.value.split(' in ')[0]!);
      const grant = byId.get(b.event_ids[0]!);
      const creation = acc ? acc.event_ids.map((id) => byId.get(id)).find((r) => r?.action === 'user_created' && r.target === acc.value) : undefined;
      if (acc && grant?.session && grant.session === creation?.session) into = acc;
    }
    if (!into) return true;
    into.event_ids = [...new Set([...into.event_ids, ...b.event_ids])].sort((x, y) => x - y);
    return false;
  });
}
