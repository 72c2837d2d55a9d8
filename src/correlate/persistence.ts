/**
 * What a privileged command leaves behind for the attacker to come back: which account's crontab
 * it changed (`crontab -u USER …` edits USER's, `sudo crontab -e` edits the sudo target's — root's
 * by default — and `crontab -l` or `-r` install nothing), cron files written, systemd units and rc
 * files written or enabled, accounts added to admin groups, passwords set. Pure parsing of the
 * command line as the host logged it; the persistence link (links/persistence.ts) decides which
 * commands are the attacker's.
 */
import { ADMIN_GROUPS } from './knowledge.js';

export type PersistenceKind = 'cron' | 'systemd_unit' | 'rc_file' | 'admin_group' | 'password_set' | 'ssh_authorized_key';

export interface Persistence {
  kind: PersistenceKind;
  /** What to remove: a file, `crontab of USER`, a unit, `USER in GROUP`, an account. */
  value: string;
  /** The account it acts for (whose crontab, who is added, whose password), when known. */
  owner: string | null;
  /** A cron job's schedule when the command wrote it out (`M H dom mon dow`). */
  minute: number | null;
  hour: number | null;
}

const WRITE = String.raw`(?:>>?|\btee\s+(?:-a\s+)?|\bcp\s+\S+\s+|\bmv\s+\S+\s+|\binstall\s+(?:-\S+\s+)*\S+\s+|\bln\s+-s\S*\s+\S+\s+)`;
const num = (f: string | undefined) => (f !== undefined && /^\d+$/.test(f) ? Number(f) : null);

/** `'M H dom mon dow [user] cmd'` written out on the command line. */
function schedule(command: string, withUser: boolean): { minute: number | null; hour: number | null; user: string | null } | null {
  const m = withUser
    ? /['"]\s*(\S+)\s+(\S+)\s+\S+\s+\S+\s+\S+\s+([a-z_][\w-]*)\s+[^'"]*['"]/.exec(command)
    : /['"]\s*([\d*/,-]+)\s+([\d*/,-]+)\s+[\d*/,-]+\s+[\d*/,a-z-]+\s+[\d*/,a-z-]+\s+[^'"]+['"]/i.exec(command);
  if (!m) return null;
  return { minute: num(m[1]), hour: num(m[2]), user: withUser ? m[3]! : null };
}

/**
 * The persistence a command line installs. `runAs` is whom it ran as (sudo's target; root when
 * unsaid): `crontab -e` without `-u` edits that account's table.
 */
export function persistenceInCommand(command: string, runAs: string | null): Persistence[] {
  const out: Persistence[] = [];
  const as = runAs ?? 'root';
  // crontab(1): -u USER names the table; -l lists and -r removes (neither installs anything).
  for (const m of command.matchAll(/(?:^|[\s;&|(/])crontab(?![\w.-])((?:\s+(?!-)[^\s;&|)]+|\s+-[a-z]+(?:\s+[^\s;&|)-][^\s;&|)]*)?)*)/g)) {
    const args = m[1] ?? '';
    if (/(^|\s)-[a-z]*[lr]/.test(args.replace(/-u\s+\S+/, ''))) continue;
    const owner = /-u\s+([^\s;&|)]+)/.exec(args)?.[1] ?? as;
    const s = schedule(command, false);
    out.push({ kind: 'cron', value: `crontab of ${owner}`, owner, minute: s?.minute ?? null, hour: s?.hour ?? null });
  }
  // Cron files written: /etc/cron.d/x carries the user in each line; a spool file is its owner's table.
  const cronFile = new RegExp(`${WRITE}\\s*['"]?(/etc/cron[\\w./-]*|/var/spool/cron[\\w./-]*)`).exec(command);
  if (cronFile) {
    const path = cronFile[1]!;
    const spoolOwner = /\/var\/spool\/cron\/(?:crontabs\/)?([\w.-]+)$/.exec(path)?.[1] ?? null;
    const s = spoolOwner ? schedule(command, false) : schedule(command, true);
    out.push({ kind: 'cron', value: path, owner: spoolOwner ?? s?.user ?? 'root', minute: s?.minute ?? null, hour: s?.hour ?? null });
  }
  const unit = new RegExp(`${WRITE}\\s*['"]?((?:/etc|/lib|/usr/lib|/run)/systemd/system/[\\w@.-]+\\.(?:service|timer|socket|path))`).exec(command) ?? /\bsystemctl\s+(?:--now\s+)?enable\s+(?:--now\s+)?([\w@.-]+)/.exec(command);
  if (unit) out.push({ kind: 'systemd_unit', value: unit[1]!, owner: null, minute: null, hour: null });
  const rc = new RegExp(`${WRITE}\\s*['"]?((?:/etc/rc\\.local|/etc/profile(?:\\.d/[\\w.-]+)?|/etc/bash\\.bashrc|[~\\w/.-]*/\\.(?:bashrc|bash_profile|profile|zshrc)))\\b`).exec(command);
  if (rc) out.push({ kind: 'rc_file', value: rc[1]!, owner: /\/home\/([\w.-]+)\//.exec(rc[1]!)?.[1] ?? (rc[1]!.startsWith('/root/') ? 'root' : null), minute: null, hour: null });
  const admin = `(?:${ADMIN_GROUPS.join('|')})`;
  const group =
    new RegExp(`\\busermod\\s+(?:-\\S*\\s+)*-a?G\\s+(\\S*\\b${admin}\\b\\S*)\\s+(?:-\\S+\\s+)*([\\w.-]+)`).exec(command) ??
    new RegExp(`\\b(?:gpasswd\\s+-a|adduser)\\s+([\\w.-]+)\\s+(${admin})\\b`).exec(command);
  if (group) {
    const [who, grp] = /usermod/.test(group[0]) ? [group[2]!, group[1]!.split(',').find((g) => (ADMIN_GROUPS as readonly string[]).includes(g))!] : [group[1]!, group[2]!];
    out.push({ kind: 'admin_group', value: `${who} in ${grp}`, owner: who, minute: null, hour: null });
  }
  // passwd as the command (not /etc/passwd read by another): without an account it sets the runner's own.
  const passwd = /(?:^|[;&|(]\s*)(?:\/usr)?(?:\/s?bin\/)?passwd(?:\s+(?:-\S+\s+)*([a-z_][\w.-]*))?\s*$/.exec(command);
  if (passwd) out.push({ kind: 'password_set', value: passwd[1] ?? as, owner: passwd[1] ?? as, minute: null, hour: null });
  else if (/(?:^|[\s;&|(/])chpasswd\b/.test(command)) {
    const who = /['"]?([a-z_][\w.-]*):[^\s'"]*['"]?\s*\|\s*(?:\S*\/)?chpasswd/.exec(command)?.[1] ?? null;
    out.push({ kind: 'password_set', value: who ?? 'accounts set by chpasswd', owner: who, minute: null, hour: null });
  }
  return out;
}

/** crontab(1) logging itself through cron: `(root) REPLACE (www-data)` — the table is the target's. */
export function persistenceInCrontabEvent(action: string, target: string | null): Persistence | null {
  if (!/^crontab_(replace|end_edit)$/.test(action)) return null;
  const owner = target?.replace(/^crontab:/, '') ?? null;
  return { kind: 'cron', value: owner ? `crontab of ${owner}` : 'crontab', owner, minute: null, hour: null };
}

/**
 * usermod/gpasswd logging a membership itself (`add 'U' to group 'wheel'`): an admin group joined,
 * whoever ran it — a root shell leaves no sudo line. The shadow group line repeats it.
 */
export function persistenceInGroupEvent(e: { action: string; target: string | null; attrs: unknown }): Persistence | null {
  if (e.action !== 'group_member_added' || !e.target) return null;
  const a = (typeof e.attrs === 'string' ? JSON.parse(e.attrs) : (e.attrs ?? {})) as { group?: string; shadow?: boolean };
  if (!a.group || a.shadow || !(ADMIN_GROUPS as readonly string[]).includes(a.group)) return null;
  return { kind: 'admin_group', value: `${e.target} in ${a.group}`, owner: e.target, minute: null, hour: null };
}
