/**
 * Access key → the attacker's calls with it: from when it was compromised (a seed key: its first
 * use from an address outside its early baseline), except calls from its owner's baseline
 * addresses; the identities behind the calls and what they created. A key the attacker created or
 * was issued is theirs entirely. Backwards, a stolen long-term key leads to the attacker session
 * that read a cloud credentials file shortly before its first misuse.
 */
import { cloudEventName, EVENT_FIELDS } from '../classify.js';
import { CLOUD_CREDENTIAL_FILE, isPrivateIp } from '../knowledge.js';
import type { Entity } from '../model.js';
import { VOCAB_LISTS } from '../sql-vocabulary.js';
import { followCloudCreations } from './cloud-creations.js';
import { addCloudIdentity } from './cloud-identity.js';
import type { LinkContext } from './context.js';
import type { EntityLink } from './types.js';

/** How far before a stolen key's first misuse a credentials-file read is looked for (µs). */
const READ_BEFORE_US = 30 * 86400e6;

export const accessKeyLink: EntityLink = {
  name: 'access_key',
  describe: "access key → its calls since the compromise outside its owner's baseline addresses, the identities behind them and the keys, sessions and users they created; a stolen long-term key → the attacker session that read the credentials file before its first misuse",
  follows: 'access_key',
  expand: expandAccessKey,
};

async function expandAccessKey(ctx: LinkContext, k: Entity): Promise<void> {
  const { fp } = ctx;
  const rows = await ctx.q(`SELECT ${EVENT_FIELDS} FROM ev WHERE access_key = $k ORDER BY ts, event_id`, { k: k.value });
  if (rows.length === 0) return;
  if (!k.createdByAttacker && k.compromisedAtUs === null) {
    // A seed key: compromised at its first use from an address outside its early baseline.
    const firstIp = rows[0]!.src_ip;
    const outside = rows.find((r) => r.src_ip && r.src_ip !== firstIp && !isPrivateIp(r.src_ip) && !ctx.sharedAddresses.has(r.src_ip));
    k.compromisedAtUs = outside?.ts_us ?? rows[0]!.ts_us;
    k.roles.add('stolen');
  }
  const since = k.createdByAttacker ? null : k.compromisedAtUs;
  const baseline = new Set(rows.filter((r) => since !== null && r.ts_us < since && r.src_ip).map((r) => r.src_ip!));
  let firstAttackerUs: number | null = null;
  for (const r of rows) {
    if (!k.createdByAttacker && (since === null || r.ts_us < since)) continue;
    if (!k.createdByAttacker && r.src_ip && baseline.has(r.src_ip) && !fp.has('ip', r.src_ip)) continue;
    const firstUse = firstAttackerUs === null && !k.createdByAttacker;
    firstAttackerUs ??= r.ts_us;
    const name = cloudEventName(r);
    ctx.event(
      r,
      k,
      firstUse ? `first use of stolen key ${k.value} by the attacker` : `call with ${k.createdByAttacker ? 'attacker-issued' : 'stolen'} key ${k.value}`,
      firstUse ? 'access' : /^(AssumeRole|GetSessionToken|GetFederationToken)$/.test(name) ? 'actions' : undefined,
      firstUse ? 'T1078.004' : undefined,
      firstUse,
    );
    if (firstUse) ctx.noteAccess(r.ts_us);
    if (r.src_ip && !isPrivateIp(r.src_ip)) fp.add('ip', r.src_ip, null, 'api_caller', `used key ${k.value}`, { eventIds: [r.event_id] });
    addCloudIdentity(fp, r, `identity of key ${k.value}`);
    followCloudCreations(fp, r, k);
  }
  if (!k.createdByAttacker && firstAttackerUs !== null) await traceKeyToHost(ctx, k, firstAttackerUs);
}

/**
 * Backwards from a stolen key: the last credentials-file read before its first misuse, and the
 * SSH session open on that host when it was read. That session is the attacker's wherever it came
 * from (an internal hop is traced further back by the ssh_session link); its address is taken only
 * when it is external and not shared.
 */
async function traceKeyToHost(ctx: LinkContext, k: Entity, firstUseUs: number): Promise<void> {
  const { fp } = ctx;
  const reads = await ctx.q(
    `SELECT ${EVENT_FIELDS} FROM ev WHERE action = 'sudo' AND outcome = 'success' AND regexp_matches(command, $cred)
       AND epoch_us(ts) < $t AND epoch_us(ts) >= $t - ${READ_BEFORE_US} ORDER BY ts DESC, event_id DESC LIMIT 1`,
    { t: firstUseUs, cred: CLOUD_CREDENTIAL_FILE.source },
  );
  for (const r of reads) {
    if (!r.host || !r.actor) continue;
    // The SSH session of that user on that host that was open when the file was read.
    const sess = await ctx.q(
      `SELECT ${EVENT_FIELDS} FROM ev WHERE action IN ${VOCAB_LISTS.remote_login} AND host = $h AND actor = $u AND outcome = 'success'
         AND epoch_us(ts) <= $t ORDER BY ts DESC, event_id DESC LIMIT 1`,
      { h: r.host, u: r.actor, t: r.ts_us },
    );
    const login = sess[0];
    if (!login?.session || !login.src_ip) continue;
    const why = `read ${r.command?.slice(0, 80)} on ${r.host} before key ${k.value} was misused`;
    // A shared address (a bastion, an office NAT) is not the attacker's; the session that read the file is.
    if (!isPrivateIp(login.src_ip) && !ctx.sharedAddresses.has(login.src_ip)) fp.add('ip', login.src_ip, null, 'login_source', `its session ${why}`, { eventIds: [r.event_id, login.event_id] });
    fp.add('session', login.session, r.host, null, `the session that ${why}`, { eventIds: [login.event_id, r.event_id] });
    fp.touch(fp.add('local_user', r.actor, r.host, 'compromised', `its session ${why}`, { compromisedAtUs: login.ts_us }), login.ts_us, login.event_id);
    ctx.hostEntity(r.host, `the attacker's session ${why}`, r);
  }
}
