/** Back doors told once per account the attacker created (src/correlate/backdoor-accounts.ts). */
import { describe, expect, it } from 'vitest';
import { foldIntoCreatedAccounts } from '../../src/correlate/backdoor-accounts.js';
import type { EventRow } from '../../src/correlate/classify.js';

const row = (event_id: number, action: string, target: string, session: string | null): EventRow => ({ event_id, action, target, session, host: 'h' }) as EventRow;
const door = (kind: string, value: string, ids: number[], host = 'h') => ({ kind, value, host, event_ids: ids });

describe('back doors of an account the attacker created', () => {
  const rows = new Map<number, EventRow>([
    [1, row(1, 'user_created', 'svc', 'useradd[10]')],
    [2, row(2, 'group_member_added', 'svc', 'useradd[10]')],
    [3, row(3, 'sudo', 'root', null)],
    [4, row(4, 'group_member_added', 'svc', 'usermod[12]')],
    [5, row(5, 'sudo', 'root', null)],
  ]);

  it('takes the group its useradd put it in and the password set on it into the account', () => {
    const out = foldIntoCreatedAccounts([door('local_user', 'svc', [1, 9]), door('admin_group', 'svc in sudo', [2]), door('password_set', 'svc', [3])], rows);
    expect(out).toEqual([door('local_user', 'svc', [1, 2, 3, 9])]);
  });

  it('keeps a group granted later by a command of its own, a password set on an existing account, and other hosts’ doors', () => {
    const list = [door('local_user', 'svc', [1]), door('admin_group', 'svc in wheel', [4]), door('password_set', 'root', [5]), door('password_set', 'svc', [5], 'other'), door('admin_group', 'nagios in sudo', [2])];
    expect(foldIntoCreatedAccounts(list.map((b) => ({ ...b })), rows).map((b) => `${b.kind} ${b.value} ${b.host}`)).toEqual([
      'local_user svc h',
      'admin_group svc in wheel h',
      'password_set root h',
      'password_set svc other',
      'admin_group nagios in sudo h',
    ]);
  });
});
