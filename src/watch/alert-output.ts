/**
 * Alerts leave the case here: one line each on a terminal (evidence text escaped), JSON lines
 * with --json, and with --exec a command run per alert with the alert as JSON on its standard
 * input — the command is the analyst's, given once; nothing from the evidence is ever put into
 * it or into its environment. An alert is marked notified once handed over, so a restart hands
 * over the ones a kill interrupted (at least once, never lost).
 */
import { spawn } from 'node:child_process';
import { safeText } from '../core/sanitize.js';
import type { CaseDb } from '../store/case-db.js';

export interface AlertJson {
  alert_id: number;
  alerted_at: string;
  severity: string;
  ts: string | null;
  matched: string;
  entry: { id: number | null; kind: string; value: string };
  after_containment: boolean | null;
  event: {
    event_id: number;
    source: string;
    class: string;
    action: string;
    outcome: string | null;
    host: string | null;
    actor: string | null;
    src_ip: string | null;
    dst_ip: string | null;
    access_key: string | null;
    summary: string;
  };
  evidence: { evidence_id: number | null; file: string | null; line: number | null };
}

/** The flat row the SELECT below returns: AlertJson's fields, its nested objects spread out (entry.id as entry_id). */
type AlertRow = Omit<AlertJson, 'entry' | 'event' | 'evidence'> & { entry_id: AlertJson['entry']['id'] } & Omit<AlertJson['entry'], 'id'> & AlertJson['event'] & AlertJson['evidence'];

const SELECT = `SELECT a.alert_id, strftime(a.alerted_at, '%Y-%m-%dT%H:%M:%SZ') AS alerted_at, a.severity,
    strftime(a.ts, '%Y-%m-%dT%H:%M:%S.%fZ') AS ts, a.matched, a.entry_id, a.kind, a.value, a.after_containment,
    a.event_id, e.source, e.class, e.action, e.outcome, e.host, e.actor, e.src_ip, e.dst_ip, e.access_key, e.summary,
    a.evidence_id, v.path AS file, a.line
  FROM alerts a LEFT JOIN events e USING (event_id) LEFT JOIN evidence v ON v.evidence_id = a.evidence_id`;

function toJson(r: AlertRow): AlertJson {
  return {
    alert_id: r.alert_id,
    alerted_at: r.alerted_at,
    severity: r.severity,
    ts: r.ts,
    matched: r.matched,
    entry: { id: r.entry_id, kind: r.kind, value: r.value },
    after_containment: r.after_containment,
    event: { event_id: r.event_id, source: r.source, class: r.class, action: r.action, outcome: r.outcome, host: r.host, actor: r.actor, src_ip: r.src_ip, dst_ip: r.dst_ip, access_key: r.access_key, summary: r.summary },
    evidence: { evidence_id: r.evidence_id, file: r.file, line: r.line },
  };
}

/** Every alert of the case, oldest first (for the report and the TUI). */
export async function readAlerts(db: CaseDb, opts: { limit?: number } = {}): Promise<AlertJson[]> {
  const rows = await db.all<AlertRow>(`${SELECT} ORDER BY a.alert_id${opts.limit ? ` LIMIT ${Math.floor(opts.limit)}` : ''}`);
  return rows.map(toJson);
}

/** One alert as a terminal line: time, severity, what matched, the event, its file and line. */
export function alertLine(a: AlertJson): string {
  const ev = a.event;
  const who = [ev.host, ev.actor, ev.src_ip].filter(Boolean).join(' ');
  const after = a.after_containment ? ' after containment' : '';
  return safeText(
    `${a.ts ?? '-'} ${a.severity.toUpperCase().padEnd(8)} ${a.matched}${after} · ${ev.source} ${ev.action} ${ev.outcome ?? ''}${who ? ' ' + who : ''} · ${ev.summary} · ${a.evidence.file ?? '?'}:${a.evidence.line ?? '?'}`,
  );
}

export interface AlertSinkOptions {
  json: boolean;
  exec: string | null;
  write(text: string): void;
  onExecError(message: string): void;
}

export class AlertSink {
  private execChain: Promise<void> = Promise.resolve();

  constructor(private readonly o: AlertSinkOptions) {}

  /** Hands over the alerts not notified yet, then marks them. */
  async flush(db: CaseDb): Promise<number> {
    const rows = await db.all<AlertRow>(`${SELECT} WHERE a.notified_at IS NULL ORDER BY a.alert_id`);
    if (rows.length === 0) return 0;
    for (const r of rows) {
      const a = toJson(r);
      this.o.write(this.o.json ? JSON.stringify(a) + '\n' : alertLine(a) + '\n');
      if (this.o.exec) {
        const cmd = this.o.exec;
        this.execChain = this.execChain.then(() => runExec(cmd, a).catch((err: Error) => this.o.onExecError(err.message)));
      }
    }
    await db.run(`UPDATE alerts SET notified_at = now()::TIMESTAMP WHERE notified_at IS NULL AND alert_id <= $max`, { max: rows[rows.length - 1]!.alert_id });
    return rows.length;
  }

  /** Waits for the --exec commands started so far. */
  async drain(): Promise<void> {
    await this.execChain;
  }
}

/** Runs the analyst's command with the alert on standard input; resolves when it exits. */
function runExec(cmd: string, alert: AlertJson): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    // The command line is the analyst's own (as given to --exec); the alert goes only to stdin.
    // Its output goes to standard error, so it never mixes with --json lines on standard output.
    const child = spawn(cmd, { shell: true, stdio: ['pipe', 2, 'inherit'] });
    child.on('error', reject);
    child.stdin!.on('error', () => undefined);
    child.on('close', (code) => (code === 0 ? resolvePromise() : reject(new Error(`--exec command exited with status ${code} for alert #${alert.alert_id}`))));
    child.stdin!.end(JSON.stringify(alert) + '\n');
  });
}
