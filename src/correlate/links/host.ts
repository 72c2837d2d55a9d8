/**
 * Hosts. A host given as a seed leads to the external addresses that logged in to it. A host the
 * attacker held leads, through its addresses as the evidence shows them (hosts table), to what came
 * from it during the attacker's time on it: the host links (database sessions, egress, sweeps).
 */
import { LIST, listValue, VARCHAR } from '@duckdb/node-api';
import { EVENT_FIELDS } from '../classify.js';
import { isPrivateIp, THRESHOLDS } from '../knowledge.js';
import type { Entity } from '../model.js';
import { VOCAB_LISTS } from '../sql-vocabulary.js';
import { timed } from '../timing.js';
import type { LinkContext } from './context.js';
import type { EntityLink, HostLink, RoundLink } from './types.js';

export const hostSeedLink: EntityLink = {
  name: 'host_seed',
  describe: 'host given as a seed → the external addresses (not shared by many accounts) that logged in to it',
  follows: 'host',
  appliesTo: (e) => e.reason === 'seed',
  expand: expandHostSeed,
};

async function expandHostSeed(ctx: LinkContext, h: Entity): Promise<void> {
  // The seed may name the host or give one of its addresses.
  const names = [...new Set([h.value, ctx.fp.hosts.hostOf(h.value) ?? h.value])];
  for (const name of names) {
    const rows = await ctx.q(
      `SELECT ${EVENT_FIELDS} FROM ev WHERE action IN ${VOCAB_LISTS.remote_login} AND outcome = 'success' AND (host = $h OR (host IS NULL AND dst_ip = $h)) ORDER BY ts, event_id`,
      { h: name },
    );
    for (const r of rows) if (r.src_ip && !isPrivateIp(r.src_ip) && !ctx.sharedAddresses.has(r.src_ip)) ctx.fp.add('ip', r.src_ip, null, 'login_source', `logged in to seed host ${h.value}`, { eventIds: [r.event_id] });
  }
}

/** Host activity: every compromised host with known addresses, through every host link. */
export function hostActivityLink(hostLinks: readonly HostLink[]): RoundLink {
  return {
    name: 'host_activity',
    describe: `compromised host → its addresses (learned from the evidence) → ${hostLinks.map((l) => l.name).join(', ')} within the attacker's time on it (± ${THRESHOLDS.hostWindowMarginUs / 60e6} min)`,
    async run(ctx: LinkContext) {
      for (const host of [...ctx.hostWindows.keys()]) {
        const ips = [...new Set([...ctx.fp.hosts.addressesOf(host).map((a) => a.ip), ...(isAddress(host) ? [host] : [])])].sort();
        const windows = ctx.hostWindows.get(host) ?? [];
        const key = `${ips.join(',')}|${windows.map((w) => w.join('-')).join(',')}`;
        if (ips.length === 0 || windows.length === 0 || ctx.expandedHosts.get(host) === key) continue;
        ctx.expandedHosts.set(host, key);
        // The host's addresses come from the evidence: they travel as a bound list, never as SQL text.
        await ctx.conn.run(`CREATE OR REPLACE TEMP TABLE host_ips AS SELECT unnest($ips) AS ip`, { ips: listValue(ips) }, { ips: LIST(VARCHAR) });
        const m = THRESHOLDS.hostWindowMarginUs;
        // On `ts` itself, not epoch_us(ts): a range on the column is pushed into the scan and skips
        // the row groups outside the attacker's time (epoch_us(ts) reads every row of the case).
        const within = windows.map(([s, e]) => `(ts BETWEEN make_timestamp(${s - m}) AND make_timestamp(${e + m}))`).join(' OR ');
        for (const link of hostLinks) await timed(`host link ${link.name}`, () => link.run(ctx, { host, ips, windows, ipList: 'SELECT ip FROM host_ips', within }));
      }
    },
  };
}

/** A host known only by its address (a network sensor's view) is named by it. */
function isAddress(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || (host.includes(':') && /^[0-9a-fA-F:.]+$/.test(host));
}
