/**
 * A cloud credentials file read in an attacker session → every long-term key that is then first
 * used from a new external address: the file's content is not in any log, but a key leaving its
 * owner's baseline right after the file was read is.
 */
import { isPrivateIp } from '../knowledge.js';
import type { LinkContext } from './context.js';
import type { RoundLink } from './types.js';

/** How long after the read a first use from a new address is taken as the theft's (µs). */
const AFTER_READ_US = 30 * 86400e6;

export const stolenKeysLink: RoundLink = {
  name: 'stolen_keys',
  describe: 'cloud credentials file read in an attacker session → long-term keys first used from a new external address afterwards',
  run: linkStolenKeys,
};

async function linkStolenKeys(ctx: LinkContext): Promise<void> {
  const { fp } = ctx;
  for (const read of ctx.credentialReads) {
    const rows = await ctx.q<{ access_key: string; ts_us: number; src_ip: string; event_id: number }>(
      `WITH keyed AS (
         SELECT access_key, src_ip, epoch_us(ts) AS ts_us, event_id FROM ev
         WHERE is_cloud_call(action) AND access_key LIKE 'AKIA%' AND src_ip IS NOT NULL),
       baseline AS (SELECT DISTINCT access_key, src_ip FROM keyed WHERE ts_us < $t)
       SELECT k.access_key, k.ts_us, k.src_ip, k.event_id FROM keyed k
       WHERE k.ts_us >= $t AND k.ts_us <= $t + ${AFTER_READ_US}
         AND k.access_key IN (SELECT access_key FROM baseline)
         AND NOT EXISTS (SELECT 1 FROM baseline b WHERE b.access_key = k.access_key AND b.src_ip = k.src_ip)
       ORDER BY k.ts_us, k.event_id`,
      { t: read.tsUs },
    );
    for (const r of rows) {
      if (isPrivateIp(r.src_ip) || ctx.sharedAddresses.has(r.src_ip) || fp.has('access_key', r.access_key)) continue;
      const k = fp.add('access_key', r.access_key, null, 'stolen', `first used from new address ${r.src_ip} after ${read.file} was read in the attacker's session on ${read.host}`, {
        compromisedAtUs: r.ts_us,
        eventIds: [read.eventId],
      });
      fp.touch(k, r.ts_us, r.event_id);
    }
  }
}
