/**
 * The key-events timeline: at most 30 rows a manager can read — first reconnaissance, initial
 * access, the first access to each further host, each privilege change, each back door, each data
 * access, each exfiltration, detection, containment and any use after containment. Each row points
 * at its evidence (file and line) when the findings hold the event. Everything else stays in the
 * full timeline; when more than 30 qualify, the least telling kinds are cut first and the count of
 * rows left out is reported.
 */
import type { Findings, TimelineItem } from '../correlate/findings-types.js';
import { bytes } from './format.js';

export type KeyKind = 'first recon' | 'initial access' | 'access to host' | 'privilege change' | 'back door' | 'data access' | 'exfiltration' | 'detection' | 'containment' | 'use after containment';

export interface KeyEvent {
  ts: string;
  kind: KeyKind;
  /** Raw text (evidence or dwell's words): renderers escape it. */
  what: string;
  host: string | null;
  actor: string | null;
  src_ip: string | null;
  technique: string | null;
  evidence: { file: string; line: number } | null;
}

export const MAX_KEY_EVENTS = 30;

/** Cut first when over the limit (last in this list = cut first). */
const KEEP_ORDER: KeyKind[] = ['initial access', 'detection', 'containment', 'use after containment', 'first recon', 'exfiltration', 'back door', 'privilege change', 'access to host', 'data access'];

/** Techniques that change what an identity may do. */
const PRIVILEGE = /^T1548|^T1098(\.003)?$/;

function fromItem(kind: KeyKind, t: TimelineItem, what?: string): KeyEvent {
  return { ts: t.ts ?? '', kind, what: what ?? t.summary, host: t.host, actor: t.actor, src_ip: t.src_ip, technique: t.technique, evidence: t.evidence ? { file: t.evidence.file, line: t.evidence.line } : null };
}

function bare(kind: KeyKind, ts: string, what: string): KeyEvent {
  return { ts, kind, what, host: null, actor: null, src_ip: null, technique: null, evidence: null };
}

export function keyEvents(f: Findings, max = MAX_KEY_EVENTS): { events: KeyEvent[]; omitted: number } {
  const tl = f.timeline ?? [];
  const byId = new Map(tl.map((t) => [t.event_id, t]));
  const first = (ids: number[]) => ids.map((id) => byId.get(id)).filter((t): t is TimelineItem => Boolean(t?.ts)).sort((x, y) => x.ts!.localeCompare(y.ts!))[0];
  const a = f.answers;
  const out: KeyEvent[] = [];
  const seen = new Set<number>();
  const push = (e: KeyEvent, id?: number) => {
    if (id !== undefined) {
      if (seen.has(id)) return;
      seen.add(id);
    }
    out.push(e);
  };

  const recon = tl.find((t) => t.phase === 'recon' && t.ts);
  if (recon) push(fromItem('first recon', recon), recon.event_id);
  const access = tl.filter((t) => t.phase === 'access' && t.ts);
  const initial = (a.initial_access_at && access.find((t) => t.ts === a.initial_access_at)) || null;
  if (initial) push(fromItem('initial access', initial, a.initial_access_vector ?? initial.summary), initial.event_id);
  else if (a.initial_access_at) push(bare('initial access', a.initial_access_at, a.initial_access_vector ?? 'initial access'));
  // The first access to every other host: how far the attacker got.
  const hosts = new Set(initial?.host ? [initial.host] : []);
  for (const t of access) {
    if (!t.host || hosts.has(t.host) || t.source === 'vpc_flow' || t.source === 'cloudtrail') continue;
    hosts.add(t.host);
    push(fromItem('access to host', t), t.event_id);
  }
  const privileged = new Set<string>();
  for (const t of tl) {
    if (!t.technique || !PRIVILEGE.test(t.technique) || !t.ts) continue;
    const k = `${t.host}|${t.actor}|${t.technique}`;
    if (privileged.has(k)) continue;
    privileged.add(k);
    push(fromItem('privilege change', t), t.event_id);
  }
  for (const b of f.backdoors ?? []) {
    const t = first(b.event_ids);
    const what = `${b.kind} ${b.value}`;
    if (t) push(fromItem('back door', t, what), t.event_id);
    else if (b.created_at) push({ ...bare('back door', b.created_at, what), host: b.host, actor: b.created_by });
  }
  for (const c of f.compromised_data ?? []) {
    const t = first(c.event_ids);
    const what = `${c.access} ${c.kind} ${c.value}`;
    if (t) push(fromItem('data access', t, what), t.event_id);
    else if (c.first) push({ ...bare('data access', c.first, what), host: c.host });
  }
  for (const x of f.exfiltration ?? []) if (x.first) push({ ...bare('exfiltration', x.first, `${bytes(x.bytes)} to ${x.dst_ip} (seen by ${(x.sources ?? []).join(', ')})`), technique: 'T1048' });
  if (a.detected_at) push(bare('detection', a.detected_at, 'detected'));
  if (a.contained_at) {
    push(bare('containment', a.contained_at, 'contained'));
    for (const b of f.backdoors ?? []) {
      if (!b.used_after_containment && !b.attempted_after_containment) continue;
      const after = b.event_ids.map((id) => byId.get(id)).filter((t): t is TimelineItem => Boolean(t?.ts && t.ts > a.contained_at!));
      after.sort((x, y) => x.ts!.localeCompare(y.ts!));
      const t = after[0];
      const what = `${b.used_after_containment ? 'used' : 'tried (failed)'}: ${b.kind} ${b.value}`;
      if (t) push(fromItem('use after containment', t, what));
    }
  }

  let omitted = 0;
  for (let i = KEEP_ORDER.length - 1; out.length > max && i >= 0; i--) {
    const kind = KEEP_ORDER[i];
    const ofKind = out.filter((e) => e.kind === kind);
    const excess = Math.min(ofKind.length, out.length - max);
    // Keep the earliest of a kind: drop from its end.
    const drop = new Set(ofKind.sort((x, y) => x.ts.localeCompare(y.ts)).slice(ofKind.length - excess));
    for (let j = out.length - 1; j >= 0; j--) if (drop.has(out[j]!)) out.splice(j, 1);
    omitted += excess;
  }
  out.sort((x, y) => x.ts.localeCompare(y.ts) || KEEP_ORDER.indexOf(x.kind) - KEEP_ORDER.indexOf(y.kind));
  return { events: out, omitted };
}
