/**
 * A crontab or cron file the attacker changed → the jobs the change added: cron runs as the table's
 * owner on that host (`(www-data) CMD (…)`, cron logs the command) of a command line that host never
 * ran as that user before the change, first run within a day of it. Every run of such a job is the
 * attacker's (what it names — a call-back address — is then the command-indicators link's). An
 * edit shows only which table changed; the new command line is what says which job it was.
 */
import { EVENT_FIELDS } from '../classify.js';
import type { LinkContext } from './context.js';
import type { RoundLink } from './types.js';

/** A job whose first run comes later than this after the change is not taken as the change's. */
const FIRST_RUN_US = 86400e6;

export const cronJobsLink: RoundLink = {
  name: 'cron_jobs',
  describe: "crontab or cron file changed by the attacker → runs of a job (cron's `(USER) CMD (…)`) the host never ran as that user before the change, first run within a day: the attacker's job, every run",
  run: cronJobs,
};

async function cronJobs(ctx: LinkContext): Promise<void> {
  for (const p of ctx.persistence) {
    if (p.kind !== 'cron' || !p.owner || !p.host) continue;
    const key = `${p.host}|${p.owner}|${p.tsUs}`;
    if (ctx.cronJobsSeen.has(key)) continue;
    ctx.cronJobsSeen.add(key);
    const runs = await ctx.q(
      `WITH runs AS (
         SELECT ${EVENT_FIELDS}, min(epoch_us(ts)) OVER (PARTITION BY command) AS first_us FROM ev r
         WHERE action = 'cron_command' AND host = $h AND actor = $u AND command IS NOT NULL AND epoch_us(ts) > $t
           AND NOT EXISTS (SELECT 1 FROM ev b WHERE b.action = 'cron_command' AND b.host = $h AND b.actor = $u AND b.command = r.command AND epoch_us(b.ts) <= $t))
       SELECT * EXCLUDE (first_us) FROM runs WHERE first_us <= $t + ${FIRST_RUN_US} ORDER BY ts_us, event_id`,
      { h: p.host, u: p.owner, t: p.tsUs },
    );
    const hostE = ctx.fp.get('host', p.host);
    for (const r of runs) ctx.event(r, hostE, `run of a job added to ${p.value} on ${p.host} by the attacker's change (a command never run as ${p.owner} before it)`, 'actions', 'T1053.003');
  }
}
