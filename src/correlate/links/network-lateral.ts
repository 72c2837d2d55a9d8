/**
 * Compromised host → lateral movement seen on the network: within the attacker's time on the host,
 * sessions from its addresses to other internal hosts on admin ports (SSH, RPC, SMB, RDP, WinRM:
 * knowledge.ts ADMIN_PORTS) — answered, data both ways, more than a handshake — to a peer and port
 * the host had never used before the attacker came. The peer is compromised from that session on.
 * Guards: a peer several internal hosts use on that port is a service (a file server, a domain
 * controller), and a path the host used before the attacker's time is routine administration.
 * Reads only the host's own flows within its windows.
 */
import { EVENT_FIELDS } from '../classify.js';
import { THRESHOLDS } from '../knowledge.js';
import { VOCAB_LISTS } from '../sql-vocabulary.js';
import type { LinkContext } from './context.js';
import { isBroadcastOrMulticast } from './network-victims.js';
import type { HostLink, HostScope } from './types.js';

export const lateralLink: HostLink = {
  name: 'lateral',
  describe: `compromised host → sessions from its addresses to other internal hosts on admin ports (${VOCAB_LISTS.admin_ports.replace(/[()]/g, '')}) with data both ways, to a peer and port it never used before the attacker's time, and not a service ${THRESHOLDS.sharedServiceClients}+ internal hosts use → the peer compromised from then on`,
  run: lateralFrom,
};

async function lateralFrom(ctx: LinkContext, { host, ipList, within, windows }: HostScope): Promise<void> {
  const firstUs = Math.min(...windows.map(([s]) => s)) - THRESHOLDS.hostWindowMarginUs;
  const lastUs = Math.max(...windows.map(([, e]) => e)) + THRESHOLDS.hostWindowMarginUs;
  const rows = await ctx.q(
    `WITH s AS (
       SELECT * FROM ev WHERE action = 'flow' AND src_ip IN (${ipList}) AND (${within})
         AND is_private_ip(dst_ip) AND dst_ip NOT IN (${ipList}) AND is_admin_port(dst_port)
         AND outcome <> 'failure' AND coalesce(bytes_out, 0) > 0 AND coalesce(bytes_in, 0) > 0
         AND coalesce(bytes_out, 0) + coalesce(bytes_in, 0) >= ${THRESHOLDS.sessionBytes}
     ), before AS (
       SELECT DISTINCT dst_ip, dst_port FROM ev WHERE action = 'flow' AND src_ip IN (${ipList}) AND epoch_us(ts) < $first
         AND dst_ip IN (SELECT dst_ip FROM s)
     ), shared AS (
       SELECT dst_ip, dst_port FROM ev WHERE action = 'flow' AND dst_ip IN (SELECT dst_ip FROM s) AND is_admin_port(dst_port) AND is_private_ip(src_ip)
       GROUP BY dst_ip, dst_port HAVING count(DISTINCT src_ip) >= ${THRESHOLDS.sharedServiceClients}
     )
     SELECT ${EVENT_FIELDS} FROM s
     WHERE NOT EXISTS (SELECT 1 FROM before b WHERE b.dst_ip = s.dst_ip AND b.dst_port = s.dst_port)
       AND NOT EXISTS (SELECT 1 FROM shared x WHERE x.dst_ip = s.dst_ip AND x.dst_port = s.dst_port)
     ORDER BY ts, event_id`,
    { first: firstUs },
  );
  const from = ctx.fp.get('host', host);
  for (const r of rows) {
    if (!r.dst_ip || isBroadcastOrMulticast(r.dst_ip)) continue;
    const peer = ctx.fp.hosts.hostOf(r.dst_ip) ?? r.dst_ip;
    if (peer === host) continue;
    const known = ctx.fp.has('host', peer);
    const peerE = ctx.hostEntity(peer, `lateral movement from compromised ${host} (port ${r.dst_port})`, r);
    if (!known) ctx.addWindow(peer, r.ts_us, Math.max(r.ts_us, lastUs));
    ctx.event(r, peerE, `lateral movement from compromised ${host} to ${peer} (port ${r.dst_port})`, 'actions', 'T1021');
    if (from) ctx.fp.touch(from, r.ts_us, r.event_id);
  }
}
