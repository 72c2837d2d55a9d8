/**
 * Keys planted in an account's authorized_keys whose writing left no line (the account's own file,
 * written without sudo): an attacker login with a key that account had never logged in with on
 * that host before the attacker's first access, whose very first use is the attacker's. The key is
 * a back door (`ssh_authorized_key`); its first use is the latest time it can have been written.
 * When the attacker's command writing that account's authorized_keys is in the footprint, that
 * command is the back door already and the key is not listed twice.
 */
import { LIST, listValue, VARCHAR } from '@duckdb/node-api';
import { ACTION_GROUPS, inGroup } from '../../core/vocabulary.js';
import { parseAttrs, type EventRow } from '../classify.js';
import type { LinkContext } from './context.js';
import type { RoundLink } from './types.js';

export const plantedKeysLink: RoundLink = {
  name: 'planted_keys',
  describe: "attacker login with a key the account never used on that host before the attacker came, first used by the attacker → a key planted in that account's authorized_keys (a back door), unless the attacker's command writing that file is already one",
  run: plantedKeys,
};

async function plantedKeys(ctx: LinkContext): Promise<void> {
  const ids = [...ctx.fp.events.keys()];
  if (ids.length === 0 || ctx.firstAccessUs === null) return;
  // The attacker's key logins, from the footprint's own events (no need to read the case again).
  const footprint = await ctx.footprintRows(ids);
  const mine = footprint
    .filter((r) => inGroup('remote_login', r.action) && r.outcome === 'success' && r.host !== null && r.actor !== null)
    .map((r) => ({ ...r, ...keyOf(r) }))
    .filter((r): r is EventRow & { fp: string; key_type: string | null } => r.fp !== null);
  if (mine.length === 0) return;
  // Each (host, account, key)'s first successful login in the whole case; the keys travel in a temp table.
  const keys = [...new Map(mine.map((m) => [JSON.stringify([m.host, m.actor, m.fp]), m])).values()];
  await ctx.conn.run(
    `CREATE OR REPLACE TEMP TABLE planted_key_candidates AS SELECT unnest($h) AS host, unnest($a) AS actor, unnest($f) AS fp`,
    { h: listValue(keys.map((k) => k.host!)), a: listValue(keys.map((k) => k.actor!)), f: listValue(keys.map((k) => k.fp)) },
    { h: LIST(VARCHAR), a: LIST(VARCHAR), f: LIST(VARCHAR) },
  );
  // One equality branch per login action: DuckDB pushes `action = '…'` into the scan and reads
  // attrs only for those rows; `action IN (…)` is not pushed and read every event's attrs.
  const logins = ACTION_GROUPS.remote_login
    .map((a) => `SELECT event_id, ts, host, actor, attrs FROM ev WHERE action = '${a.replace(/'/g, "''")}' AND outcome = 'success'`)
    .join(' UNION ALL ');
  const firsts = await ctx.q<{ host: string; actor: string; fp: string; first_id: number; first_us: number }>(
    `SELECT e.host, e.actor, k.fp, arg_min(e.event_id, e.ts) AS first_id, epoch_us(min(e.ts)) AS first_us FROM (${logins}) e
     JOIN planted_key_candidates k ON e.host = k.host AND e.actor = k.actor AND (e.attrs->>'key_fingerprint') = k.fp
     GROUP BY ALL`,
  );
  const first = new Set(firsts.filter((f) => f.first_us >= ctx.firstAccessUs!).map((f) => `${f.first_id}\u0000${JSON.stringify([f.host, f.actor, f.fp])}`));
  const rows = mine.filter((m) => first.has(`${m.event_id}\u0000${JSON.stringify([m.host, m.actor, m.fp])}`));
  for (const r of rows) {
    const value = `${r.key_type ? r.key_type + ' ' : ''}${r.fp} in ${r.actor}'s authorized_keys`;
    if (ctx.persistence.some((p) => p.kind === 'ssh_authorized_key' && p.host === r.host && (p.value === value || p.owner === r.actor))) continue;
    // The attacker's own command writing that account's authorized_keys is the back door already.
    const written = footprint.some(
      (w) => w.host === r.host && inGroup('host_command', w.action) && w.command !== null && w.command.includes('authorized_keys') && w.command.includes(r.actor!) && w.ts_us <= r.ts_us,
    );
    if (written) continue;
    ctx.persistence.push({ kind: 'ssh_authorized_key', value, owner: r.actor, minute: null, hour: null, host: r.host, eventId: r.event_id, tsUs: r.ts_us, actor: r.actor });
  }
}

/** `attrs->>'key_fingerprint'` and `attrs->>'key_type'` as DuckDB reads them (text; JSON of a non-string). */
function keyOf(r: EventRow): { fp: string | null; key_type: string | null } {
  const a = parseAttrs(r);
  const text = (v: unknown) => (v === undefined || v === null ? null : typeof v === 'string' ? v : JSON.stringify(v));
  return { fp: text(a.key_fingerprint), key_type: text(a.key_type) };
}
