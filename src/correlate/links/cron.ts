/**
 * Cron jobs the attacker wrote out (a cron file, or a line piped to `crontab -u USER`) → their runs: cron sessions of the job's user on its host at the
 * job's minute (and hour, when fixed), from when the file was written until someone removed it.
 * auth.log does not name the job, so the host's own jobs at that minute are included too (the
 * reason says so).
 */
import { EVENT_FIELDS } from '../classify.js';
import { VOCAB_LISTS } from '../sql-vocabulary.js';
import type { LinkContext } from './context.js';
import type { RoundLink } from './types.js';

export const cronRunsLink: RoundLink = {
  name: 'cron_runs',
  describe: "cron file written in an attacker session → the job's runs at its minute until the file was removed",
  run: cronRuns,
};

async function cronRuns(ctx: LinkContext): Promise<void> {
  for (const c of ctx.cronWrites.splice(0)) {
    if (c.minute === null) continue;
    // Until the file was removed, or the table cleared (`crontab -r`, `crontab -u USER -r`).
    const table = c.path.startsWith('crontab of ');
    const removed = await ctx.q<{ ts_us: number | null }>(
      table
        ? `SELECT epoch_us(min(ts)) AS ts_us FROM ev WHERE action = 'sudo' AND host = $h AND epoch_us(ts) > $t
             AND regexp_matches(command, 'crontab\\s(.*\\s)?-[a-z]*r') AND (contains(command, '-u ' || $u) OR (NOT contains(command, '-u ') AND coalesce(target, 'root') = $u))`
        : `SELECT epoch_us(min(ts)) AS ts_us FROM ev WHERE action = 'sudo' AND host = $h AND epoch_us(ts) > $t
             AND contains(command, $p) AND regexp_matches(command, '(^|/|\\s)(rm|unlink|shred|truncate)\\s|>\\s*' || $p)`,
      table ? { h: c.host, t: c.fromUs, u: c.user } : { h: c.host, t: c.fromUs, p: c.path },
    );
    const until = removed[0]?.ts_us ?? Number.MAX_SAFE_INTEGER;
    const runs = await ctx.q(
      `SELECT ${EVENT_FIELDS} FROM ev WHERE action IN ${VOCAB_LISTS.cron_run} AND host = $h
         AND target = $u AND minute(ts) = $m AND epoch_us(ts) > $t AND epoch_us(ts) < $until ${c.hour !== null ? 'AND hour(ts) = $hr' : ''} ORDER BY ts, event_id`,
      { h: c.host, u: c.user, m: c.minute, t: c.fromUs, until, ...(c.hour !== null ? { hr: c.hour } : {}) },
    );
    const hostE = ctx.fp.get('host', c.host);
    for (const r of runs) ctx.event(r, hostE, `cron run at the minute of the attacker's job ${c.path} (the host's own jobs at that minute are not told apart in auth.log)`, 'actions', 'T1053.003');
  }
}
