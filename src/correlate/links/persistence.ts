/**
 * Privileged commands in the footprint → what they installed for the attacker to come back, and for
 * whom (persistence.ts): `crontab -u USER` changes USER's table, `crontab -e` through sudo the sudo
 * target's (root's by default); cron files, systemd units, rc files, admin groups, passwords. A job
 * whose schedule the command wrote out is followed to its runs (cron_runs).
 */
import { EVENT_FIELDS } from '../classify.js';
import { persistenceInCommand, persistenceInCrontabEvent, persistenceInGroupEvent, type Persistence } from '../persistence.js';
import { VOCAB_LISTS } from '../sql-vocabulary.js';
import type { LinkContext } from './context.js';
import type { RoundLink } from './types.js';

export interface PersistenceFound extends Persistence {
  host: string | null;
  eventId: number;
  tsUs: number;
  /** Who ran the command (sudo's user), or crontab's caller. */
  actor: string | null;
}

export const persistenceLink: RoundLink = {
  name: 'persistence',
  describe: "privileged commands of the attacker → what they installed and for whom: crontab -u USER (USER's table), crontab -e through sudo (the sudo target's, root's by default), cron files, systemd units, rc files, admin groups, passwords → a written-out job's runs",
  run: findPersistence,
};

async function findPersistence(ctx: LinkContext): Promise<void> {
  const ids = [...ctx.fp.events.keys()].filter((id) => !ctx.persistenceSeen.has(id));
  if (ids.length === 0) return;
  for (const id of ids) ctx.persistenceSeen.add(id);
  const rows = await ctx.q(
    `SELECT ${EVENT_FIELDS} FROM ev WHERE event_id IN (SELECT unnest($ids::BIGINT[])) AND outcome = 'success'
       AND (action IN ${VOCAB_LISTS.host_command} OR starts_with(action, 'crontab_') OR action = 'group_member_added') ORDER BY ts, event_id`,
    { ids: `[${ids.join(',')}]` },
  );
  for (const r of rows) {
    const found = r.command && r.action !== 'sudo_failed' ? persistenceInCommand(r.command, r.action === 'sudo' ? r.target : r.actor) : [];
    const fromLog = persistenceInCrontabEvent(r.action, r.target) ?? persistenceInGroupEvent(r);
    if (fromLog) found.push(fromLog);
    for (const p of found) {
      // One back door, however many lines tell of it: `sudo crontab -u U -e`, then cron's REPLACE
      // and END EDIT are one edit of U's table; usermod's line repeats the command that ran it.
      const same = ctx.persistence.find((q) => q.kind === p.kind && q.value === p.value && q.host === r.host);
      if (same) {
        if (r.ts_us < same.tsUs) Object.assign(same, { ...p, host: r.host, eventId: r.event_id, tsUs: r.ts_us, actor: r.actor ?? same.actor });
        continue;
      }
      ctx.persistence.push({ ...p, host: r.host, eventId: r.event_id, tsUs: r.ts_us, actor: r.actor });
      if (p.kind === 'cron' && p.minute !== null && p.owner && r.host) {
        ctx.cronWrites.push({ host: r.host, path: p.value, minute: p.minute, hour: p.hour, user: p.owner, fromUs: r.ts_us, eventId: r.event_id });
      }
    }
  }
}
