/**
 * Compromised host → its network activity while the attacker was on it:
 * - egress: data carried out to external addresses the host had never sent to before (exfiltration:
 *   uploads and pulls, transfers.ts — not a beacon's requests nor a shell's output);
 * - sweeps: one address of the host probing many internal address:port pairs within minutes
 *   (mapping the network) — a sliding window over the host's flows, linear in their number.
 */
import { EVENT_FIELDS, type EventRow } from '../classify.js';
import { isPrivateIp, THRESHOLDS } from '../knowledge.js';
import { transferBytes, transfersOut } from '../transfers.js';
import type { LinkContext } from './context.js';
import type { HostLink, HostScope } from './types.js';

export const egressLink: HostLink = {
  name: 'egress',
  describe: "compromised host → bytes sent to external addresses it never sent to before, within the attacker's time on it (exfiltration)",
  run: egressFrom,
};

export const sweepLink: HostLink = {
  name: 'sweep',
  describe: `compromised host → internal sweeps from its addresses (≥ ${THRESHOLDS.sweepTargets} internal address:port targets within ${THRESHOLDS.sweepWindowUs / 60e6} minutes)`,
  run: sweepsFrom,
};

async function egressFrom(ctx: LinkContext, { host, ips, ipList, within, windows }: HostScope): Promise<void> {
  const firstUs = Math.min(...windows.map(([s]) => s));
  // Candidates: new external destinations the host's records carry at least exfilBytes to (a
  // necessary condition, cheap in SQL); transfersOut then keeps what was carried out (uploads, pulls).
  const rows = await ctx.q<{ dst_ip: string; bytes: number }>(
    `WITH sent AS (
       SELECT dst_ip AS peer, bytes_out AS bytes FROM ev WHERE action = 'flow' AND src_ip IN (${ipList}) AND (${within})
       UNION ALL
       SELECT src_ip AS peer, bytes_in AS bytes FROM ev WHERE action = 'flow' AND dst_ip IN (${ipList}) AND (${within}) AND bytes_in IS NOT NULL
     )
     SELECT peer AS dst_ip, sum(bytes)::DOUBLE AS bytes FROM sent
     WHERE peer IS NOT NULL AND peer NOT IN (SELECT DISTINCT dst_ip FROM ev WHERE action = 'flow' AND src_ip IN (${ipList}) AND epoch_us(ts) < $first AND dst_ip IS NOT NULL)
     GROUP BY peer HAVING sum(bytes) >= ${THRESHOLDS.exfilBytes} ORDER BY peer`,
    { first: firstUs - THRESHOLDS.hostWindowMarginUs },
  );
  const own = new Set(ips);
  for (const r of rows) {
    if (!r.dst_ip || isPrivateIp(r.dst_ip)) continue;
    const flows = await ctx.q(
      `SELECT ${EVENT_FIELDS} FROM ev WHERE action = 'flow' AND (src_ip IN (${ipList}) AND dst_ip = $d OR src_ip = $d AND dst_ip IN (${ipList})) AND (${within}) ORDER BY ts, event_id`,
      { d: r.dst_ip },
    );
    const [out] = transfersOut(flows, (ip) => ip !== null && own.has(ip));
    if (!out || transferBytes(out) < THRESHOLDS.exfilBytes) continue;
    const ipE = ctx.fp.add('ip', r.dst_ip, null, 'exfil_destination', `received ${transferBytes(out)} bytes from compromised ${host}, a new destination for it`);
    // The records that carried the data out are the exfiltration; the rest of the traffic with the
    // destination (a beacon's requests, the replies) is tagged by what it is.
    const carriers = new Set(out.events.map((e) => e.event_id));
    for (const f of flows) {
      if (carriers.has(f.event_id)) ctx.event(f, ipE, `egress from compromised ${host} to ${r.dst_ip}`, 'exfiltration', 'T1048');
      else ctx.event(f, ipE, `traffic between compromised ${host} and exfiltration destination ${r.dst_ip}`);
    }
  }
}

async function sweepsFrom(ctx: LinkContext, { host, ipList, within }: HostScope): Promise<void> {
  const rows = await ctx.q(
    `SELECT ${EVENT_FIELDS} FROM ev WHERE action = 'flow' AND src_ip IN (${ipList}) AND (${within})
       AND dst_ip IS NOT NULL AND dst_port IS NOT NULL ORDER BY ts, event_id`,
  );
  // Flows the host initiated: from an ephemeral port to an internal service port (not its replies).
  const bySrc = new Map<string, EventRow[]>();
  for (const r of rows) {
    if (!isPrivateIp(r.dst_ip) || (r.src_port ?? 0) < 1024 || (r.dst_port ?? 0) >= 10000) continue;
    const list = bySrc.get(r.src_ip!) ?? [];
    list.push(r);
    bySrc.set(r.src_ip!, list);
  }
  for (const [src, list] of [...bySrc.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    for (const w of sweepWindows(list, THRESHOLDS.sweepWindowUs, THRESHOLDS.sweepTargets)) {
      ctx.networkMapping.push({ src, host, targets: new Set(w.map((r) => r.dst_ip!)), ports: new Set(w.map((r) => r.dst_port!)), firstUs: w[0]!.ts_us, lastUs: w[w.length - 1]!.ts_us, eventIds: w.map((r) => r.event_id) });
      const hostE = ctx.fp.get('host', host);
      for (const r of w) ctx.event(r, hostE, `internal sweep from compromised ${host}`, 'recon', 'T1046');
    }
  }
}

/**
 * Sweeps in one source's time-ordered flows: from each flow, the flows within `windowUs` after it
 * reach `minTargets` distinct address:port pairs — that window is a sweep, and the search goes on
 * after it. Two pointers and a count per target: linear in the number of flows.
 */
export function sweepWindows(rows: EventRow[], windowUs: number, minTargets: number): EventRow[][] {
  const out: EventRow[][] = [];
  const counts = new Map<string, number>();
  const key = (r: EventRow) => `${r.dst_ip}:${r.dst_port}`;
  let j = 0; // rows[i..j) are in the window of rows[i]
  for (let i = 0; i < rows.length; ) {
    const end = rows[i]!.ts_us + windowUs;
    while (j < rows.length && rows[j]!.ts_us <= end) {
      counts.set(key(rows[j]!), (counts.get(key(rows[j]!)) ?? 0) + 1);
      j++;
    }
    if (counts.size >= minTargets) {
      out.push(rows.slice(i, j));
      counts.clear();
      i = j;
      continue;
    }
    const k = key(rows[i]!);
    const n = counts.get(k)! - 1;
    if (n === 0) counts.delete(k);
    else counts.set(k, n);
    i++;
  }
  return out;
}
