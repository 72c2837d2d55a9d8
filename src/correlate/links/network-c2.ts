/**
 * Compromised host → its controllers, as the network shows them, within the attacker's time on it:
 * - the other end of every C2 detection from the host's addresses (beacon, C2 polling, an IDS
 *   compromise alert) is attacker infrastructure;
 * - the attacker's second address: the host talking to another external address the same way it
 *   talks to a known attacker address (same port and protocol, a port the host uses with few
 *   destinations, never the web's 80/443 — a RAT's 1177, not an update mirror), at most `secondAddressesPerHost` of them,
 *   and never one the host talked to before the attacker's time (its own partners: a carrier API).
 * Guards: infrastructure ports (DNS, NTP…) and addresses several internal hosts use are services,
 * not infrastructure of the attacker. Reads only the host's own flows, through an indexed key.
 */
import { BIGINT, LIST, listValue, VARCHAR } from '@duckdb/node-api';
import { EVENT_FIELDS } from '../classify.js';
import { THRESHOLDS } from '../knowledge.js';
import type { LinkContext } from './context.js';
import { VOCAB_LISTS } from '../sql-vocabulary.js';
import { C2_RULES } from './network-victims.js';
import type { HostLink, HostScope } from './types.js';

export const c2PeersLink: HostLink = {
  name: 'c2_peers',
  describe: `compromised host → the other end of C2 detections from its addresses (beacon, C2 polling, IDS compromise alerts), and other external addresses it talks to the way it talks to a known attacker address (same uncommon port and protocol, ≤ ${THRESHOLDS.secondAddressesPerHost} per host) → attacker infrastructure`,
  run: c2PeersOf,
};

const DNS_RULE = 'actions.dga_dns';

async function c2PeersOf(ctx: LinkContext, scope: HostScope): Promise<void> {
  await detectedPeers(ctx, scope);
  await secondAddresses(ctx, scope);
}

async function detectedPeers(ctx: LinkContext, { host, ips, ipList, within }: HostScope): Promise<void> {
  // DGA lookups go to the resolver: its answer is not the controller.
  const ids = [...ctx.opts.detections.entries()].filter(([, d]) => C2_RULES.has(d.ruleId) && d.ruleId !== DNS_RULE).map(([id]) => id);
  if (ids.length === 0) return;
  await ctx.conn.run(`CREATE OR REPLACE TEMP TABLE c2_detected AS SELECT unnest($ids) AS event_id`, { ids: listValue(ids) }, { ids: LIST(BIGINT) });
  const rows = await ctx.q(
    `SELECT ${EVENT_FIELDS} FROM ev WHERE (src_ip IN (${ipList}) OR dst_ip IN (${ipList})) AND (${within}) AND event_id IN (SELECT event_id FROM c2_detected) ORDER BY ts, event_id`,
  );
  const own = new Set(ips);
  for (const r of rows) {
    const peer = own.has(r.src_ip ?? '') ? r.dst_ip : r.src_ip;
    if (!peer || own.has(peer)) continue;
    const rule = ctx.opts.detections.get(r.event_id)!.ruleId;
    const e = ctx.fp.add('ip', peer, null, 'c2', `${rule} between compromised ${host} and it`, { eventIds: [r.event_id] });
    ctx.event(r, e, `${rule}: compromised ${host} and ${peer}`);
  }
}

async function secondAddresses(ctx: LinkContext, { host, ipList, within, windows }: HostScope): Promise<void> {
  // Attacker addresses: the footprint's addresses that are not a compromised host's own.
  const known = [...ctx.fp.entities.values()].filter((e) => e.kind === 'ip' && !ctx.fp.has('host', e.value) && ctx.fp.attackerHostOf(e.value) === null).map((e) => e.value);
  if (known.length === 0) return;
  await ctx.conn.run(`CREATE OR REPLACE TEMP TABLE attacker_ips AS SELECT unnest($ips) AS ip`, { ips: listValue(known) }, { ips: LIST(VARCHAR) });
  // The ways the host talks to known attacker addresses; other destinations the same way, when few.
  const rows = await ctx.q<{ dst_ip: string; dst_port: number; protocol: string | null; known_ip: string }>(
    `WITH mine AS (
       SELECT dst_ip, dst_port, protocol FROM ev
       WHERE action = 'flow' AND src_ip IN (${ipList}) AND (${within}) AND dst_ip IS NOT NULL AND dst_port IS NOT NULL AND dst_port NOT IN ${VOCAB_LISTS.infrastructure_ports}
         AND dst_port NOT IN ${VOCAB_LISTS.common_service_ports}
     ), ways AS (
       SELECT DISTINCT m.dst_port, m.protocol, m.dst_ip AS known_ip FROM mine m WHERE m.dst_ip IN (SELECT ip FROM attacker_ips)
     ), routine AS (
       SELECT DISTINCT dst_ip FROM ev WHERE action = 'flow' AND src_ip IN (${ipList}) AND epoch_us(ts) < $first AND dst_ip IS NOT NULL
     ), others AS (
       SELECT DISTINCT m.dst_ip, m.dst_port, m.protocol FROM mine m JOIN ways w ON m.dst_port = w.dst_port AND m.protocol IS NOT DISTINCT FROM w.protocol
       WHERE m.dst_ip NOT IN (SELECT ip FROM attacker_ips) AND m.dst_ip NOT IN (SELECT dst_ip FROM routine)
     ), few AS (
       SELECT dst_port, protocol FROM others GROUP BY dst_port, protocol HAVING count(*) <= ${THRESHOLDS.secondAddressesPerHost}
     ), shared AS (
       SELECT dst_ip FROM ev WHERE action = 'flow' AND dst_ip IN (SELECT dst_ip FROM others) AND is_private_ip(src_ip) GROUP BY dst_ip HAVING count(DISTINCT src_ip) >= ${THRESHOLDS.sharedServiceClients}
     )
     SELECT o.dst_ip, o.dst_port, o.protocol, min(w.known_ip) AS known_ip FROM others o JOIN few f ON o.dst_port = f.dst_port AND o.protocol IS NOT DISTINCT FROM f.protocol
       JOIN ways w ON w.dst_port = o.dst_port AND w.protocol IS NOT DISTINCT FROM o.protocol
     WHERE o.dst_ip NOT IN (SELECT dst_ip FROM shared) AND o.dst_ip NOT IN (${ipList})
     GROUP BY ALL ORDER BY o.dst_ip`,
    { first: Math.min(...windows.map(([s]) => s)) - THRESHOLDS.hostWindowMarginUs },
  );
  for (const r of rows) {
    const e = ctx.fp.add('ip', r.dst_ip, null, 'c2', `compromised ${host} talks to it the way it talks to attacker address ${r.known_ip} (port ${r.dst_port}${r.protocol ? '/' + r.protocol : ''})`);
    const flows = await ctx.q(
      `SELECT ${EVENT_FIELDS} FROM ev WHERE action = 'flow' AND src_ip IN (${ipList}) AND dst_ip = $d AND dst_port = $p AND (${within}) ORDER BY ts, event_id`,
      { d: r.dst_ip, p: r.dst_port },
    );
    for (const f of flows) ctx.event(f, e, `compromised ${host} to ${r.dst_ip}, the way it talks to attacker address ${r.known_ip}`);
  }
}
