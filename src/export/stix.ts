/**
 * `--what iocs --format stix`: a STIX 2.1 bundle of the attack's indicators, for threat-intel
 * platforms (OpenCTI, MISP, a TAXII collection) and SIEMs.
 *
 * - `identity` — who produced it (`--identity NAME`, default "dwell"); every object's `created_by_ref`.
 * - `marking-definition` — the TLP marking (`--tlp`, default amber; STIX 2.1's predefined TLP objects),
 *   in `object_marking_refs` of every object.
 * - Per indicator value: the observable (`ipv4-addr`, `ipv6-addr`, `user-account`), an `indicator`
 *   with a STIX pattern, `valid_from` = first sighting and `valid_until` = last sighting + `--valid-days`
 *   (default 90), an `observed-data` (first_observed/last_observed/number_observed over the events
 *   behind it), and a `sighting` of the indicator (first_seen/last_seen/count).
 * - `attack-pattern` per ATT&CK technique of those events (external id, kill chain phase = tactic),
 *   `indicates` relationships indicator → attack-pattern, and a `report` of everything named after the
 *   findings run (a report rather than a grouping: the published bundle schema lists report among
 *   its objects, not grouping).
 *
 * Access keys: STIX 2.1 has no object for an API credential. An AWS access key id is what a caller
 * presents to sign in (with its secret), so it is a `user-account` with `account_login` = the key
 * id, `user_id` = the IAM principal that owns it when the events say, `account_type` = "aws-iam"
 * (account-type-ov is an open vocabulary). A standard object keeps the indicator usable by every
 * STIX consumer; custom `x-` objects are deprecated in 2.1 and dropped by many platforms.
 */
import type { Ioc, IocSet } from './iocs.js';
import { collectIocs } from './iocs.js';
import { withSink } from './line-export.js';
import { ATTACK_VERSION, TECHNIQUES } from './attack-reference.js';
import { tacticFor } from './attack-tactics.js';
import { patternString, scoId, sdoId } from './stix-ids.js';
import type { ExportContext, ExportFormat, Tlp } from './types.js';

type Obj = Record<string, unknown>;

/** STIX 2.1 section 7.2.1.4: the predefined TLP 1.0 marking definitions. */
export const TLP_MARKINGS: Record<Tlp, Obj> = {
  white: { id: 'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9', name: 'TLP:WHITE', definition: { tlp: 'white' } },
  green: { id: 'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da', name: 'TLP:GREEN', definition: { tlp: 'green' } },
  amber: { id: 'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82', name: 'TLP:AMBER', definition: { tlp: 'amber' } },
  red: { id: 'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed', name: 'TLP:RED', definition: { tlp: 'red' } },
};

function tlpObject(tlp: Tlp): Obj {
  const m = TLP_MARKINGS[tlp];
  return { type: 'marking-definition', spec_version: '2.1', id: m.id, created: '2017-01-20T00:00:00.000Z', definition_type: 'tlp', name: m.name, definition: m.definition };
}

/** STIX timestamps: RFC 3339 UTC; dwell's have microseconds, which STIX allows. */
function addDays(iso: string, days: number): string {
  const ms = Date.parse(iso);
  const frac = /\.(\d+)Z$/.exec(iso)?.[1] ?? '000';
  const d = new Date(ms + days * 86_400_000).toISOString();
  return `${d.slice(0, 19)}.${frac}Z`;
}

/** The observable for an indicator value, and the pattern matching it. */
export function observable(ioc: Ioc): { sco: Obj; pattern: string; label: string } {
  switch (ioc.kind) {
    case 'ipv4':
    case 'ipv6': {
      const type = ioc.kind === 'ipv4' ? 'ipv4-addr' : 'ipv6-addr';
      const props = { value: ioc.value };
      return { sco: { type, spec_version: '2.1', id: scoId(type, props), ...props }, pattern: `[${type}:value = ${patternString(ioc.value)}]`, label: `address ${ioc.value}` };
    }
    case 'access_key': {
      const props: Obj = { account_type: 'aws-iam', account_login: ioc.value };
      if (ioc.principal) props.user_id = ioc.principal;
      return {
        sco: { type: 'user-account', spec_version: '2.1', id: scoId('user-account', props), ...props, display_name: `access key ${ioc.value}` },
        pattern: `[user-account:account_login = ${patternString(ioc.value)}]`,
        label: `access key ${ioc.value}`,
      };
    }
    case 'iam_principal': {
      const props: Obj = { account_type: 'aws-iam', user_id: ioc.value };
      return {
        sco: { type: 'user-account', spec_version: '2.1', id: scoId('user-account', props), ...props, display_name: ioc.value.split(/[/:]/).pop() || ioc.value },
        pattern: `[user-account:user_id = ${patternString(ioc.value)}]`,
        label: `IAM principal ${ioc.value}`,
      };
    }
    case 'local_user': {
      const props: Obj = { account_type: 'unix', account_login: ioc.value };
      if (ioc.uid) props.user_id = ioc.uid;
      const sco: Obj = { type: 'user-account', spec_version: '2.1', id: scoId('user-account', props), ...props, display_name: ioc.host ? `${ioc.value}@${ioc.host}` : ioc.value };
      if (ioc.value === 'root') sco.is_privileged = true;
      return { sco, pattern: `[user-account:account_type = 'unix' AND user-account:account_login = ${patternString(ioc.value)}]`, label: `local account ${ioc.value}${ioc.host ? ` on ${ioc.host}` : ''}` };
    }
    case 'db_role': {
      const props: Obj = { account_type: 'database', account_login: ioc.value };
      return {
        sco: { type: 'user-account', spec_version: '2.1', id: scoId('user-account', props), ...props, display_name: ioc.host ? `${ioc.value}@${ioc.host}` : ioc.value },
        pattern: `[user-account:account_type = 'database' AND user-account:account_login = ${patternString(ioc.value)}]`,
        label: `database role ${ioc.value}${ioc.host ? ` on ${ioc.host}` : ''}`,
      };
    }
  }
}

export function buildBundle(set: IocSet, opts: { tlp: Tlp; identity: string; validDays: number; now: Date }): Obj {
  const now = opts.now.toISOString();
  const runKey = `${set.findingsId}|${set.generatedAt}`;
  const marking = tlpObject(opts.tlp);
  const identity: Obj = {
    type: 'identity',
    spec_version: '2.1',
    id: sdoId('identity', opts.identity),
    created: now,
    modified: now,
    name: opts.identity,
    identity_class: 'organization',
    description: 'Producer of this bundle (dwell forensic timeline reconstruction).',
    object_marking_refs: [marking.id],
  };
  const common = (): Obj => ({ spec_version: '2.1', created: now, modified: now, created_by_ref: identity.id, object_marking_refs: [marking.id] });
  const objects: Obj[] = [marking, identity];
  const grouped: string[] = [];
  const patterns = new Map<string, Obj>();

  for (const ioc of set.iocs) {
    const { sco, pattern, label } = observable(ioc);
    sco.object_marking_refs = [marking.id];
    const key = `${runKey}|${ioc.kind}|${ioc.value}|${ioc.host ?? ''}`;
    const kind = ioc.indicatorType === 'malicious-activity' ? 'Attacker' : 'Compromised';
    const indicator: Obj = {
      type: 'indicator',
      id: sdoId('indicator', key),
      ...common(),
      name: `${kind} ${label}`,
      description: `${label[0]!.toUpperCase()}${label.slice(1)}: ${ioc.reason === 'seed' ? 'the indicator the investigation started from' : ioc.reason || 'used in the attack'}. Seen in ${ioc.events} event(s) from ${ioc.firstSeen} to ${ioc.lastSeen}${ioc.roles.length ? `; roles: ${ioc.roles.join(', ')}` : ''}${ioc.principal ? `; owned by ${ioc.principal}` : ''}.`,
      indicator_types: [ioc.indicatorType],
      pattern,
      pattern_type: 'stix',
      pattern_version: '2.1',
      valid_from: ioc.firstSeen,
      valid_until: addDays(ioc.lastSeen, Math.max(opts.validDays, 1)),
      labels: ioc.roles.length ? ioc.roles : undefined,
    };
    const killChain = ioc.techniques.map((t) => tacticFor(t, null)).filter((x): x is string => x !== null);
    if (killChain.length) indicator.kill_chain_phases = [...new Set(killChain)].map((phase) => ({ kill_chain_name: 'mitre-attack', phase_name: phase }));
    if (!indicator.labels) delete indicator.labels;
    const observed: Obj = {
      type: 'observed-data',
      id: sdoId('observed-data', key),
      ...common(),
      first_observed: ioc.firstSeen,
      last_observed: ioc.lastSeen,
      number_observed: Math.max(ioc.events, 1),
      object_refs: [sco.id],
    };
    const sighting: Obj = {
      type: 'sighting',
      id: sdoId('sighting', key),
      ...common(),
      description: `Seen in the evidence of dwell findings #${set.findingsId}.`,
      first_seen: ioc.firstSeen,
      last_seen: ioc.lastSeen,
      count: Math.max(ioc.events, 1),
      sighting_of_ref: indicator.id,
      observed_data_refs: [observed.id],
      where_sighted_refs: [identity.id],
    };
    objects.push(sco, indicator, observed, sighting);
    grouped.push(sco.id as string, indicator.id as string, observed.id as string, sighting.id as string);
    for (const t of ioc.techniques) {
      let ap = patterns.get(t);
      if (!ap) {
        const tactic = tacticFor(t, null);
        ap = {
          type: 'attack-pattern',
          id: sdoId('attack-pattern', `${runKey}|${t}`),
          ...common(),
          name: TECHNIQUES[t]?.name ?? t,
          external_references: [{ source_name: 'mitre-attack', external_id: t, url: `https://attack.mitre.org/techniques/${t.replace('.', '/')}/` }],
          ...(tactic ? { kill_chain_phases: [{ kill_chain_name: 'mitre-attack', phase_name: tactic }] } : {}),
        };
        patterns.set(t, ap);
        objects.push(ap);
        grouped.push(ap.id as string);
      }
      const rel: Obj = {
        type: 'relationship',
        id: sdoId('relationship', `${key}|indicates|${t}`),
        ...common(),
        relationship_type: 'indicates',
        source_ref: indicator.id,
        target_ref: ap.id,
      };
      objects.push(rel);
      grouped.push(rel.id as string);
    }
  }

  const report: Obj = {
    type: 'report',
    id: sdoId('report', runKey),
    ...common(),
    name: `dwell findings #${set.findingsId}${set.vector ? `: ${set.vector}` : ''}`,
    description: `Indicators of the attack reconstructed by dwell (findings #${set.findingsId}, generated ${set.generatedAt}), attacker activity from ${set.attackFrom ?? '?'} to ${set.attackTo ?? '?'}. ATT&CK v${ATTACK_VERSION}.`,
    report_types: ['threat-report'],
    published: now,
    object_refs: grouped.length ? grouped : [identity.id],
  };
  objects.push(report);
  return { type: 'bundle', id: sdoId('bundle', `${runKey}|${now}`), objects };
}

export const stix: ExportFormat = {
  name: 'stix',
  whats: ['iocs'],
  description: 'STIX 2.1 bundle: indicators, observables, sightings, ATT&CK patterns (TLP marking)',
  target: 'file',
  filtered: false,
  async run(ctx: ExportContext) {
    const set = await collectIocs(ctx.db);
    const bundle = buildBundle(set, { tlp: ctx.options.tlp, identity: ctx.options.identity, validDays: ctx.options.validDays, now: ctx.now });
    await withSink(ctx, (sink) => sink.write(JSON.stringify(bundle, null, 2) + '\n'));
    return { count: set.iocs.length, unit: 'indicators' };
  },
};
