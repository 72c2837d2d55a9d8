/**
 * Network-only evidence: attacker address → the internal hosts that exchanged traffic with it.
 *
 * A host is a victim when the traffic shows more than a probe: it reached out to the address
 * itself (a C2 check-in — answered, or unanswered but repeated: a RAT trying a dead controller),
 * the address opened a session with it (answered, data both ways, more than a banner), or an IDS
 * said an attack on it worked. A refused or unanswered probe from the address is not a compromise.
 * First contact dates the compromise; the contacts bound the attacker's time on the host, which
 * the host links (C2 peers, lateral movement, egress, sweeps) then follow.
 *
 * An internal address that shows C2 behaviour itself (a beacon, DGA lookups, C2 polling or a
 * compromise alert detected from it — a seed taken from a DGA alert) is a victim's own address.
 *
 * Guards: broadcast and multicast, infrastructure ports (DNS, NTP, DHCP, NetBIOS…) and services
 * several internal hosts use (a file server, a domain controller) are not victims. Internal is not
 * innocent either way: the attacker's address may be internal (a pivot); the victim must be.
 * Linear in the address's own events (the rows the address link reads too).
 */
import { type EventRow } from '../classify.js';
import { eventsOfAddress } from './address.js';
import { INFRASTRUCTURE_PORTS, isPrivateIp, THRESHOLDS } from '../knowledge.js';
import type { Entity } from '../model.js';
import { openedBySource, transferBytes, transfersOut } from '../transfers.js';
import type { LinkContext } from './context.js';
import type { EntityLink } from './types.js';

/** Detections that say the source of an event is talking to its controller. */
export const C2_RULES: ReadonlySet<string> = new Set(['actions.c2_beacon', 'actions.dga_dns', 'actions.http_c2_polling', 'actions.ids_compromise_alert']);

const INFRA = new Set<number>(INFRASTRUCTURE_PORTS);
/** The records of traffic this link reads (constants, spliced into its SQL). */
const TRAFFIC: ReadonlySet<string> = new Set(['flow', 'ids_alert', 'http_request', 'dns_query']);

/** Broadcast and multicast: nobody's host. */
export function isBroadcastOrMulticast(ip: string): boolean {
  return /\.255$/.test(ip) || /^(22[4-9]|23\d)\./.test(ip) || /^ff[0-9a-f]{2}:/i.test(ip);
}

export const networkVictimsLink: EntityLink = {
  name: 'network_victims',
  describe:
    'attacker address → internal hosts that exchanged traffic with it (connected to it — answered, or repeated C2 attempts —, a session it opened with data both ways, an IDS compromise alert; not a refused probe) → compromised from first contact; an internal address with C2 detections from it is a victim itself; data the victims carried out to it (uploads, pulls) measured as exfiltration',
  follows: 'ip',
  expand: expandVictims,
};

interface Contact {
  first: EventRow;
  lastUs: number;
  rows: EventRow[];
  outboundOk: number;
  outboundFailed: number;
  /** Connections the attacker address opened, by (peer port, attacker port): bytes each way. */
  opened: Map<string, { sent: number; back: number; refused: boolean }>;
  alerts: number;
}

async function expandVictims(ctx: LinkContext, ipEntity: Entity): Promise<void> {
  const ip = ipEntity.value;
  // The address link has just read all of the address's events: its traffic is among them.
  const read = ctx.addressEvents?.ip === ip ? ctx.addressEvents.rows : null;
  const rows = read
    ? read.filter((r) => r.class === 'network_activity' && TRAFFIC.has(r.action))
    : await ctx.q(`${eventsOfAddress(`class = 'network_activity' AND action IN (${[...TRAFFIC].map((a) => `'${a}'`).join(', ')})`)} ORDER BY ts_us, event_id`, { ip });
  if (isPrivateIp(ip) && !isBroadcastOrMulticast(ip)) selfVictim(ctx, ip, rows);
  const byPeer = new Map<string, Contact>();
  for (const r of rows) {
    if (r.action === 'http_request' || r.action === 'dns_query') continue;
    const fromIp = r.src_ip === ip;
    const peer = fromIp ? r.dst_ip : r.src_ip;
    if (!peer || peer === ip || !isPrivateIp(peer) || isBroadcastOrMulticast(peer)) continue;
    const isAlert = r.action === 'ids_alert';
    if (isAlert && ctx.opts.detections.get(r.event_id)?.ruleId !== 'actions.ids_compromise_alert') continue;
    // The service port of the connection: the destination's when the source opened it.
    const byPeerOpened = fromIp !== openedBySource(r);
    const servicePort = openedBySource(r) ? r.dst_port : r.src_port;
    if (!isAlert && servicePort !== null && INFRA.has(servicePort)) continue;
    const c: Contact = byPeer.get(peer) ?? { first: r, lastUs: r.ts_us, rows: [], outboundOk: 0, outboundFailed: 0, opened: new Map(), alerts: 0 };
    c.rows.push(r);
    c.lastUs = r.ts_us;
    const fromPeerBytes = fromIp ? (r.bytes_in ?? 0) : (r.bytes_out ?? 0);
    const fromIpBytes = fromIp ? (r.bytes_out ?? 0) : (r.bytes_in ?? 0);
    if (isAlert) c.alerts++;
    else if (byPeerOpened) {
      // The peer reached out to the attacker address: a reply record or an answered connection is an answer.
      if (r.outcome === 'failure') c.outboundFailed++;
      else if (fromIp || r.outcome === 'success' || fromIpBytes > 0) c.outboundOk++;
    } else {
      const key = `${fromIp ? r.dst_port : r.src_port}|${fromIp ? r.src_port : r.dst_port}`;
      const o = c.opened.get(key) ?? { sent: 0, back: 0, refused: false };
      o.sent += fromIpBytes;
      o.back += fromPeerBytes;
      if (r.outcome === 'failure') o.refused = true;
      c.opened.set(key, o);
    }
    byPeer.set(peer, c);
  }
  for (const [peer, c] of [...byPeer.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const why =
      c.alerts > 0
        ? `an IDS alert says an attack on it from ${ip} worked`
        : c.outboundOk > 0
          ? `it connected to attacker address ${ip} (${c.outboundOk} answered connection(s))`
          : c.outboundFailed >= THRESHOLDS.c2Attempts
            ? `it kept trying to reach attacker address ${ip} (${c.outboundFailed} unanswered attempts)`
            : sessions(c) > 0 && !(await sharedService(ctx, peer, c))
              ? `attacker address ${ip} held a session with it (${sessions(c)} connection(s) with data both ways)`
              : null;
    if (!why) continue;
    const host = ctx.fp.hosts.hostOf(peer) ?? peer;
    const hostE = ctx.hostEntity(host, `network: ${why}`, c.first);
    ctx.addWindow(host, c.first.ts_us, c.lastUs);
    for (const r of c.rows) ctx.event(r, hostE, `traffic between compromised ${host} and attacker address ${ip}`);
    // What the victim carried out to the address (uploads, pulls — not a shell's output): exfiltration.
    const [out] = transfersOut(c.rows, (x) => x === peer);
    if (out && transferBytes(out) >= THRESHOLDS.exfilBytes) ipEntity.roles.add('exfil_destination');
  }
}

/** Connections the attacker address opened that carried data both ways, more than a banner. */
function sessions(c: Contact): number {
  let n = 0;
  for (const o of c.opened.values()) if (!o.refused && o.sent > 0 && o.back > 0 && o.sent + o.back >= THRESHOLDS.sessionBytes) n++;
  return n;
}

/** An internal address the attacker reached that several internal hosts use as a service. */
async function sharedService(ctx: LinkContext, peer: string, c: Contact): Promise<boolean> {
  const ports = [...new Set(c.rows.map((r) => r.dst_port).filter((p): p is number => p !== null))];
  if (ports.length === 0) return false;
  const [r] = await ctx.q<{ n: number }>(
    `SELECT count(DISTINCT src_ip)::INTEGER AS n FROM ev WHERE action = 'flow' AND dst_ip = $peer AND dst_port IN (${ports.map(Number).join(', ')}) AND is_private_ip(src_ip) AND src_ip <> $peer`,
    { peer },
  );
  return (r?.n ?? 0) >= THRESHOLDS.sharedServiceClients;
}

/** An internal address with C2 detections from it: the infected host's own address. */
function selfVictim(ctx: LinkContext, ip: string, rows: EventRow[]): void {
  const c2 = rows.filter((r) => r.src_ip === ip && C2_RULES.has(ctx.opts.detections.get(r.event_id)?.ruleId ?? ''));
  if (c2.length === 0) return;
  const rules = [...new Set(c2.map((r) => ctx.opts.detections.get(r.event_id)!.ruleId))].sort();
  const host = ctx.fp.hosts.hostOf(ip) ?? ip;
  const hostE = ctx.hostEntity(host, `network: ${rules.join(', ')} detected from its address ${ip}`, c2[0]!);
  ctx.addWindow(host, c2[0]!.ts_us, c2[c2.length - 1]!.ts_us);
  for (const r of c2) ctx.event(r, hostE, `${ctx.opts.detections.get(r.event_id)!.ruleId} from ${host}`);
}
