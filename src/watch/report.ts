/**
 * What the report (and any other reader) needs of dwell watch, without knowing its tables: the
 * alerts, and for each back door of a findings run whether the watch saw it used or tried after
 * containment. Same rule as the findings' `used_after_containment` / `attempted_after_containment`
 * (src/correlate/findings.ts): used = a successful event after containment, attempted = any event
 * after containment, account changes aside — so a report that shows both never contradicts itself.
 */
import type { Backdoor } from '../correlate/findings-types.js';
import type { CaseDb } from '../store/case-db.js';
import { readAlerts, type AlertJson } from './alert-output.js';

export interface BackdoorWatch {
  kind: string;
  value: string;
  host: string | null;
  used_after_containment: boolean;
  attempted_after_containment: boolean;
  /** Alerts on it after containment. */
  alert_ids: number[];
}

export interface WatchReport {
  /** A dwell watch ran on the case (its alerts are then worth a section, even when there are none). */
  watched: boolean;
  alerts: AlertJson[];
  backdoors: BackdoorWatch[];
}

/** Entry kind and value in the watch list for a back door of the findings (watchlist.ts builds them the same way). */
function entryOf(b: Backdoor): { kind: string; value: string } | null {
  if (b.kind === 'local_user' || b.kind === 'db_role') return { kind: b.kind, value: b.value };
  if (b.kind === 'iam_access_key') return { kind: 'access_key', value: b.value };
  if (b.kind === 'iam_user') return { kind: 'iam_principal', value: b.value };
  if (b.kind === 'ssh_authorized_key') return { kind: 'file', value: b.value.split(': ')[0]! };
  if (b.kind === 'cron' || b.kind === 'rc_file' || b.kind === 'systemd_unit') return { kind: 'file', value: b.value };
  return null;
}

/** The case's alerts and, for the findings' back doors, what the watch saw after containment. Empty for a case never watched. */
export async function watchReport(db: CaseDb, backdoors: Backdoor[]): Promise<WatchReport> {
  const has = await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM information_schema.tables WHERE table_name = 'alerts'`);
  if (!has || has.n === 0) return { watched: false, alerts: [], backdoors: [] };
  const runs = await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM ingest_runs WHERE json_extract_string(argv, '$[0]') = 'watch'`);
  const alerts = await readAlerts(db);
  const out: BackdoorWatch[] = [];
  for (const b of backdoors) {
    const e = entryOf(b);
    if (!e) continue;
    // `matched` lists every entry the event matched (the alert is filed under the most severe one).
    const mine = alerts.filter((a) => a.after_containment === true && a.matched.split(', ').some((m) => m.startsWith(`${e.kind}:${e.value} (`)) && (b.host === null || a.event.host === null || a.event.host === b.host));
    const counted = mine.filter((a) => a.event.class !== 'account_change');
    out.push({
      kind: b.kind,
      value: b.value,
      host: b.host,
      used_after_containment: counted.some((a) => a.event.outcome === 'success'),
      attempted_after_containment: counted.length > 0,
      alert_ids: mine.map((a) => a.alert_id),
    });
  }
  return { watched: (runs?.n ?? 0) > 0 || alerts.length > 0, alerts, backdoors: out };
}
