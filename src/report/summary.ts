/**
 * The executive summary: at most 15 lines from the findings — what happened, when and for how
 * long, what was taken, what is done and what is still to do. Every number links to the section
 * that holds its rows, so a manager can check it and an engineer can act on it.
 */
import type { Findings } from '../correlate/findings-types.js';
import { bytes, duration } from './format.js';
import type { GapRange } from './gaps.js';
import { SECTIONS } from './model.js';

/** Raw text, or raw text linked to a section: renderers escape the text and draw the link. */
export type Segment = string | { text: string; section: string };
export type SummaryLine = Segment[];

export const MAX_SUMMARY_LINES = 15;

const n = (x: number) => x.toLocaleString('en-US');
const plural = (x: number, one: string, many = `${one}s`) => `${n(x)} ${x === 1 ? one : many}`;
const link = (text: string, section: string): Segment => ({ text, section });

export function executiveSummary(f: Findings, ctx: { gaps: GapRange[]; keyEvents: number }): SummaryLine[] {
  const a = f.answers;
  const lines: SummaryLine[] = [];
  if (!a.initial_access_at && !a.first_recon_at && (f.timeline ?? []).length === 0) {
    lines.push(['Correlation found no attacker activity from the seeds given; see ', link('the answers', SECTIONS.answers), ' and ', link('the caveats', SECTIONS.caveats), '.']);
    return lines;
  }
  const attackers = (f.ips ?? []).filter((i) => i.roles.some((r) => r !== 'exfil_destination'));
  const hosts = [...new Set((f.entities ?? []).filter((e) => e.kind === 'host').map((e) => e.value))].sort();
  const cloud = (f.entities ?? []).filter((e) => e.kind === 'iam_principal');
  lines.push([
    'What happened: an attacker from ',
    link(plural(attackers.length, 'address', 'addresses'), SECTIONS.ips),
    a.initial_access_vector ? ` got in by ${a.initial_access_vector}` : ' got in',
    a.initial_access_at ? ` at ${a.initial_access_at}` : '',
    hosts.length ? '; reached ' : '',
    ...(hosts.length ? [link(plural(hosts.length, 'host'), SECTIONS.entities), ` (${hosts.join(', ')})`] : []),
    cloud.length ? ' and ' : '',
    ...(cloud.length ? [link(plural(cloud.length, 'cloud identity', 'cloud identities'), SECTIONS.entities)] : []),
    '.',
  ]);
  lines.push([
    'When: first reconnaissance ',
    a.first_recon_at ?? 'unknown',
    ', last attacker activity ',
    a.last_attacker_activity_at ?? 'unknown',
    a.access_duration_seconds !== null ? ` (access lasted ${duration(a.access_duration_seconds)})` : '',
    '; see the ',
    link(plural(ctx.keyEvents, 'key event'), SECTIONS.keyEvents),
    '.',
  ]);
  lines.push([
    a.detected_at ? `Detected ${a.detected_at}` : 'Detection time not given',
    a.dwell_time_seconds !== null ? ` after ${duration(a.dwell_time_seconds)} of access` : '',
    a.contained_at ? `; contained ${a.contained_at}.` : '; containment time not given (dwell correlate --contained-at).',
  ]);
  const data = f.compromised_data ?? [];
  const exfil = f.exfiltration ?? [];
  const exBytes = exfil.reduce((s, x) => s + x.bytes, 0);
  const s3 = data.filter((d) => d.kind === 's3_object').reduce((s, d) => s + (d.bytes ?? 0), 0);
  lines.push([
    'What was taken: ',
    ...(data.length ? [link(plural(data.length, 'data item'), SECTIONS.data), ' read or exported'] : ['no data access found (', link('compromised data', SECTIONS.data), ')']),
    s3 ? ` (${bytes(s3)} from cloud storage)` : '',
    exfil.length ? '; ' : '',
    ...(exfil.length ? [link(`${bytes(exBytes)} sent to ${plural(exfil.length, 'destination')}`, SECTIONS.exfiltration)] : []),
    (f.db_queries ?? []).length ? '; ' : '',
    ...((f.db_queries ?? []).length ? [link(plural(f.db_queries.length, 'database query', 'database queries'), SECTIONS.queries)] : []),
    '.',
  ]);
  const bds = f.backdoors ?? [];
  const used = bds.filter((b) => b.used_after_containment).length;
  const tried = bds.filter((b) => b.attempted_after_containment && !b.used_after_containment).length;
  lines.push([
    'Back doors: ',
    ...(bds.length ? [link(plural(bds.length, 'back door'), SECTIONS.backdoors), ' created'] : ['none found (', link('back doors', SECTIONS.backdoors), ')']),
    used ? `; ${n(used)} USED AFTER CONTAINMENT` : '',
    tried ? `; ${n(tried)} tried after containment (failed)` : '',
    '.',
  ]);
  lines.push([
    bds.length ? 'Still to do: remove the back doors, rotate ' : 'Still to do: rotate ',
    link(plural((f.credentials_to_rotate ?? []).length, 'credential'), SECTIONS.credentials),
    ', block ',
    link(plural((f.ips ?? []).length, 'address', 'addresses'), SECTIONS.ips),
    ' (dwell export --what mitigations writes the block lists, revocation script and Sigma rules).',
  ]);
  const gaps = ctx.gaps.length;
  const times = (f.uncertainty?.time ?? []).filter((u) => u.attacker_events > 0 || u.left_out).length;
  if (gaps || times) {
    lines.push([
      'Limits: ',
      ...(gaps ? [link(plural(gaps, 'blind spot'), SECTIONS.gaps)] : []),
      gaps && times ? ' and ' : '',
      ...(times ? [link(plural(times, 'source'), SECTIONS.caveats), ' with less than exact times'] : []),
      ' — read the caveats before quoting a time.',
    ]);
  }
  return lines.slice(0, MAX_SUMMARY_LINES);
}
