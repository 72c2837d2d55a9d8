/**
 * `dwell info` on one screen: a few lines per part, the long lists cut to their largest entries
 * with the count of the rest (`--json` has everything). Every value from the case is escaped by
 * the table renderer or safeText.
 */
import { safeText } from '../core/sanitize.js';
import { humanBytes } from '../cli/format.js';
import type { CaseInfo, HostAddress, QualityCounts } from './info.js';
import { QUALITIES } from './info.js';
import { renderTable, type Cell } from './table.js';

/** Hosts and ingest runs shown; the rest are counted. */
export const SHOWN_HOSTS = 10;
export const SHOWN_RUNS = 3;

const n = (x: number) => x.toLocaleString('en-US');

/** `2026-01-02T01:40:12.118842Z` → `2026-01-02 01:40:12`. */
export function shortTs(iso: string | null | undefined): string {
  if (!iso) return '-';
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})/.exec(iso);
  return m ? `${m[1]} ${m[2]}` : iso;
}

function qualityText(q: QualityCounts): string {
  const known = new Set<string>(QUALITIES);
  const keys = [...QUALITIES.filter((k) => q[k]), ...Object.keys(q).filter((k) => !known.has(k))];
  return keys.map((k) => `${k.replace('_', ' ')} ${n(q[k] ?? 0)}`).join(' · ');
}

function duration(seconds: unknown): string | null {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return null;
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return [d ? `${d} d` : '', h ? `${h} h` : '', `${m} min`].filter(Boolean).join(' ');
}

function seedText(seeds: unknown): string {
  if (!Array.isArray(seeds) || seeds.length === 0) return 'none';
  return seeds.map((s: { kind?: unknown; value?: unknown }) => `${String(s?.kind)}:${String(s?.value)}`).join(', ');
}

/**
 * A host's learned addresses, each once with every way it was learned: `10.0.1.25 (own_log,
 * inbound_flow)`; an address two names claim is marked ambiguous. Names learned without an address
 * (self_named, evidence_path) say nothing about addresses: left to --json.
 */
export function addressText(rows: readonly HostAddress[]): string {
  const by = new Map<string, { hows: string[]; ambiguous: boolean }>();
  for (const r of rows) {
    if (r.address === null) continue;
    const a = by.get(r.address) ?? { hows: [], ambiguous: false };
    if (r.how && !a.hows.includes(r.how)) a.hows.push(r.how);
    a.ambiguous ||= r.ambiguous === true;
    by.set(r.address, a);
  }
  return [...by.entries()].map(([addr, a]) => `${addr} (${[...a.hows, ...(a.ambiguous ? ['ambiguous'] : [])].join(', ') || '?'})`).join(', ');
}

export function infoLines(info: CaseInfo, width?: number): string[] {
  const out: string[] = [];
  const c = info.case;
  out.push(`case      ${safeText(c.path)}  ${c.bytes === null ? '' : humanBytes(c.bytes)} · schema ${safeText(c.schema_version ?? '?')} · created ${shortTs(c.created_at)}`);

  const runs = info.ingest_runs;
  if (runs.length === 0) out.push('ingest    no ingest run');
  runs.slice(-SHOWN_RUNS).forEach((r, i) => {
    const who = [r.operator, r.hostname].filter(Boolean).map((s) => safeText(String(s))).join('@');
    const opts = [`tz ${safeText(r.tz)}`, r.year ? `year ${r.year}` : '', r.forced_format ? `--format ${safeText(r.forced_format)}` : ''].filter(Boolean).join(' ');
    const head = i === 0 ? `ingest    ${runs.length === 1 ? '1 run' : `${runs.length} runs`}: ` : '          ';
    out.push(
      `${head}#${r.run_id} ${shortTs(r.started_at)} ${safeText(r.status)}${who ? ` · ${who}` : ''} · dwell ${safeText(r.dwell_version)} · ${opts} · ${n(r.files ?? 0)} files, ${n(r.events ?? 0)} events, ${n(r.warnings ?? 0)} warnings`,
    );
  });
  if (runs.length > SHOWN_RUNS) out.push(`          … ${runs.length - SHOWN_RUNS} earlier run(s) (--json lists all)`);

  const ev = info.evidence;
  const statuses = Object.entries(ev.by_status)
    .sort((a, b) => b[1] - a[1])
    .map(([s, k]) => `${n(k)} ${safeText(s)}`)
    .join(', ');
  out.push(`evidence  ${n(ev.files)} files, ${humanBytes(ev.bytes)}${statuses ? `: ${statuses}` : ''} · ${n(ev.warnings)} parse warnings`);
  const e = info.events;
  const hidden = e.untrusted_times > 0 ? ` · ${n(e.untrusted_times)} with relative/implausible times (left out of views and searches; --include-relative)` : '';
  out.push(`events    ${n(e.total)}${e.first ? `, ${shortTs(e.first)} → ${shortTs(e.last)} UTC` : ''}${hidden}`);

  if (ev.by_source.length > 0) {
    out.push('');
    out.push(
      ...renderTable(
        [{ name: 'source' }, { name: 'files', align: 'right' }, { name: 'bytes', align: 'right' }, { name: 'events', align: 'right' }, { name: 'warnings', align: 'right' }, { name: 'first (UTC)' }, { name: 'last (UTC)' }, { name: 'time quality', min: 12 }],
        ev.by_source.map((s) => [s.source, n(s.files), humanBytes(s.bytes), n(s.events), n(s.warnings), shortTs(s.first), shortTs(s.last), qualityText(s.time_quality)]),
        { width },
      ),
    );
  }

  if (info.hosts.length > 0) {
    out.push('');
    const shown = info.hosts.slice(0, SHOWN_HOSTS);
    const rows: Cell[][] = shown.map((h) => [
      h.host ?? '(no host)',
      n(h.events),
      Object.entries(h.sources)
        .sort((a, b) => b[1] - a[1])
        .map(([s, k]) => `${s} ${n(k)}`)
        .join(', '),
      addressText(h.addresses),
    ]);
    const cols = [{ name: 'host', max: 32 }, { name: 'events', align: 'right' as const }, { name: 'sources', min: 12 }];
    const learned = info.hosts.some((h) => h.addresses.some((a) => a.address !== null));
    out.push(...renderTable(learned ? [...cols, { name: 'addresses (dwell correlate)', min: 12 }] : cols, rows, { width }));
    if (info.hosts.length > SHOWN_HOSTS) out.push(`… ${n(info.hosts.length - SHOWN_HOSTS)} more hosts (--json lists all)`);
  }

  out.push('');
  const f = info.findings;
  if (f.length === 0) out.push('findings  none yet (dwell correlate --case … --seed …)');
  else {
    const last = f[f.length - 1]!;
    const a = last.answers ?? {};
    const at = (k: string) => (typeof a[k] === 'string' ? shortTs(a[k] as string) : null);
    out.push(`findings  ${f.length === 1 ? '1 run' : `${f.length} runs`} · newest #${last.findings_id}, ${shortTs(last.generated_at)}: seeds ${safeText(seedText(last.seeds_used ?? last.seeds))} · ${n(last.attack_events)} attacker events`);
    const answers = [
      at('initial_access_at') ? `initial access ${at('initial_access_at')}${typeof a.initial_access_vector === 'string' ? ` (${safeText(a.initial_access_vector)})` : ''}` : 'no initial access found',
      at('first_recon_at') ? `first recon ${at('first_recon_at')}` : '',
      at('last_attacker_activity_at') ? `last activity ${at('last_attacker_activity_at')}` : '',
      duration(a.dwell_time_seconds) ? `dwell time ${duration(a.dwell_time_seconds)}` : '',
    ].filter(Boolean);
    out.push(`          ${answers.join(' · ')}`);
  }
  const an = info.annotations;
  const waiting = an.waiting > 0 ? ` · ${n(an.waiting)} waiting in ${safeText(an.waiting_file)}` : '';
  out.push(`notes     ${n(an.total)} annotations (${n(an.marks)} marks, ${n(an.notes)} notes) by ${n(an.authors)} author(s)${waiting}`);
  const ix = info.timeline_index;
  const index =
    ix.state === 'fresh'
      ? `fresh: ${n(ix.indexedEvents ?? 0)} events, built ${shortTs(ix.builtAt)}`
      : ix.state === 'stale'
        ? `stale: built over ${n(ix.indexedEvents ?? 0)} of ${n(ix.events)} events (${shortTs(ix.builtAt)}); the TUI pages events instead — the next dwell ingest rebuilds it`
        : 'absent (ingest --no-index); the TUI pages events directly';
  out.push(`index     ${index}`);
  return out;
}
