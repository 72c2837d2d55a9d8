/**
 * The attack's bookkeeping: while the attack script emits items, the story records which items
 * belong to which entity, back door, data item, credential or exfiltration; expected.json is then
 * computed from those very items (their times as written), so the ground truth cannot drift from
 * the logs.
 */
import type { Emitter } from './emit.js';
import type { Item, Tag, VpcItem, ZeekItem } from './model.js';

export type EntityKind = 'ip' | 'local_user' | 'iam_principal' | 'access_key' | 'db_role' | 'host' | 'session';

export interface EntityFact {
  kind: EntityKind;
  value: string;
  host: string | null;
  roles: string[];
  reason: string;
  key: string;
}

export interface BackdoorFact {
  kind: 'local_user' | 'ssh_authorized_key' | 'cron' | 'iam_access_key' | 'iam_user' | 'iam_login_profile' | 'iam_role' | 'db_role';
  value: string;
  host: string | null;
  createdBy: string;
  created: Item;
  /** Attempts to use it after containment (successful or not). */
  afterContainment: { item: Item; success: boolean }[];
  removedBy?: string;
}

export interface DataFact {
  kind: 'db_table' | 's3_object' | 'secret' | 'file' | 'credential';
  value: string;
  host: string | null;
  access: 'read' | 'bulk_read' | 'export' | 'write' | 'delete';
  rows: number | null;
  bytes: number | null;
  items: Item[];
}

export interface CredentialFact {
  kind: 'local_password' | 'ssh_key' | 'access_key' | 'iam_user_password' | 'db_password' | 'secret' | 'api_token';
  value: string;
  host: string | null;
  reason: string;
  items: Item[];
}

export interface DbQueryFact {
  item: Item;
  database: string;
  role: string;
  client: string;
  session: number;
  tables: string[];
  classification: string[];
  statement: string;
}

export class Story {
  /** Every attack item, in emission order. */
  readonly items: Item[] = [];
  readonly groups = new Map<string, Item[]>();
  readonly entities: EntityFact[] = [];
  readonly backdoors: BackdoorFact[] = [];
  readonly data: DataFact[] = [];
  readonly credentials: CredentialFact[] = [];
  readonly dbQueries: DbQueryFact[] = [];
  readonly ipRoles = new Map<string, Set<string>>();
  readonly exfil = new Map<string, { vpc: VpcItem[]; zeek: ZeekItem[]; hosts: Set<string> }>();
  readonly mapping: { src: string; items: VpcItem[]; targets: Set<string>; ports: Set<number> }[] = [];
  readonly gaps: { source: string; from: Item; to: Item; reason: string }[] = [];
  readonly named = new Map<string, Item>();
  private active: string[] = [];

  constructor(E: Emitter) {
    const push = E.push.bind(E);
    E.push = (item: Item) => {
      push(item);
      if (item.tag) {
        this.items.push(item);
        for (const k of this.active) this.group(k).push(item);
      }
    };
  }

  group(key: string): Item[] {
    let g = this.groups.get(key);
    if (!g) this.groups.set(key, (g = []));
    return g;
  }

  /** Runs `fn`; every attack item it emits is filed under each of `keys` (e.g. `ip:203.0.113.77`). */
  within<T>(keys: string[], fn: () => T): T {
    const saved = this.active;
    this.active = [...saved, ...keys];
    try {
      return fn();
    } finally {
      this.active = saved;
    }
  }

  entity(kind: EntityKind, value: string, host: string | null, roles: string[], reason: string): string {
    const key = `${kind}:${value}${host ? `@${host}` : ''}`;
    this.entities.push({ kind, value, host, roles, reason, key });
    return key;
  }

  ipRole(ip: string, ...roles: string[]): void {
    let s = this.ipRoles.get(ip);
    if (!s) this.ipRoles.set(ip, (s = new Set()));
    for (const r of roles) s.add(r);
  }

  /** Names an item for the answers (first_recon, initial_access, …) and marks it a key event. */
  name(label: string, item: Item, summary?: string): Item {
    this.named.set(label, item);
    key(item, summary);
    return item;
  }
}

/** Marks an item as a key event of the ground truth. */
export function key(item: Item, summary?: string): Item {
  const tag = item.tag as Tag;
  tag.key = true;
  if (summary) tag.summary = summary;
  return item;
}
