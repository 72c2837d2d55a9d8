/**
 * The attacker's footprint while it grows: entities (addresses, accounts, keys, roles, hosts,
 * sessions) each with the reason and events that put them there, and the attacker's events with
 * their phase and technique. Every addition names its reason, so the report can say why.
 */
import { HostDirectory } from './hosts/directory.js';
import type { EntityKind, Phase } from './rules.js';

/** What the responders know when they start (`--seed kind:value`), or what --auto proposed. */
export interface Seed {
  kind: EntityKind;
  value: string;
  host: string | null;
}

export interface Entity {
  kind: EntityKind;
  value: string;
  /** For local users, sessions, db roles: the host they belong to. */
  host: string | null;
  roles: Set<string>;
  reason: string;
  eventIds: Set<number>;
  firstSeenUs: number | null;
  lastSeenUs: number | null;
  /** When the attacker got hold of it (compromised accounts keep their owner's earlier use). */
  compromisedAtUs: number | null;
  /** Created by the attacker (back doors): all of its use is the attacker's. */
  createdByAttacker: boolean;
}

export interface AttackEvent {
  eventId: number;
  tsUs: number;
  phase: Phase;
  technique: string | null;
  reason: string;
}

export function entityKey(kind: EntityKind, value: string, host: string | null): string {
  return `${kind}\u0000${host ?? ''}\u0000${value}`;
}

export class Footprint {
  readonly entities = new Map<string, Entity>();
  readonly events = new Map<number, AttackEvent>();
  /** Entities not yet expanded, in the order found. */
  readonly queue: Entity[] = [];
  readonly notes: string[] = [];

  /** @param hosts the case's hosts and addresses (learned from the evidence; links add inferences). */
  constructor(readonly hosts: HostDirectory = new HostDirectory([])) {}

  get(kind: EntityKind, value: string, host: string | null = null): Entity | undefined {
    return this.entities.get(entityKey(kind, value, host));
  }

  has(kind: EntityKind, value: string, host: string | null = null): boolean {
    return this.entities.has(entityKey(kind, value, host));
  }

  /** Adds (or enriches) an entity; returns it. New entities are queued for expansion. */
  add(
    kind: EntityKind,
    value: string,
    host: string | null,
    role: string | null,
    reason: string,
    opts: { eventIds?: Iterable<number>; compromisedAtUs?: number | null; createdByAttacker?: boolean } = {},
  ): Entity {
    const key = entityKey(kind, value, host);
    let e = this.entities.get(key);
    if (!e) {
      e = {
        kind,
        value,
        host,
        roles: new Set(),
        reason,
        eventIds: new Set(),
        firstSeenUs: null,
        lastSeenUs: null,
        compromisedAtUs: opts.compromisedAtUs ?? null,
        createdByAttacker: opts.createdByAttacker ?? false,
      };
      this.entities.set(key, e);
      this.queue.push(e);
    } else {
      if (opts.compromisedAtUs != null && (e.compromisedAtUs === null || opts.compromisedAtUs < e.compromisedAtUs)) e.compromisedAtUs = opts.compromisedAtUs;
      if (opts.createdByAttacker) e.createdByAttacker = true;
    }
    if (role) e.roles.add(role);
    for (const id of opts.eventIds ?? []) e.eventIds.add(id);
    return e;
  }

  /**
   * Records an attacker event; an event keeps the phase it was first given unless a rule is more
   * specific, or a link knows what it was (`decisive`: the first use of a stolen key is the access).
   */
  addEvent(ev: AttackEvent, entity?: Entity, decisive = false): void {
    const prior = this.events.get(ev.eventId);
    if (!prior || decisive) this.events.set(ev.eventId, ev);
    else if (!prior.technique && ev.technique) this.events.set(ev.eventId, { ...prior, technique: ev.technique, phase: ev.phase });
    if (entity) {
      entity.eventIds.add(ev.eventId);
      if (entity.firstSeenUs === null || ev.tsUs < entity.firstSeenUs) entity.firstSeenUs = ev.tsUs;
      if (entity.lastSeenUs === null || ev.tsUs > entity.lastSeenUs) entity.lastSeenUs = ev.tsUs;
    }
  }

  touch(entity: Entity, tsUs: number, eventId?: number): void {
    if (eventId !== undefined) entity.eventIds.add(eventId);
    if (entity.firstSeenUs === null || tsUs < entity.firstSeenUs) entity.firstSeenUs = tsUs;
    if (entity.lastSeenUs === null || tsUs > entity.lastSeenUs) entity.lastSeenUs = tsUs;
  }

  /** The host an address belongs to (from the hosts the evidence shows), or null. */
  hostOf(ip: string | null): string | null {
    return this.hosts.hostOf(ip);
  }

  /** The compromised host (in the footprint) an address belongs to, or null. */
  attackerHostOf(ip: string | null): string | null {
    const h = this.hosts.hostOf(ip);
    return h !== null && this.has('host', h) ? h : null;
  }

  ofKind(kind: EntityKind): Entity[] {
    return [...this.entities.values()].filter((e) => e.kind === kind);
  }
}
