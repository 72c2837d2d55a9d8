/**
 * What every footprint link works with: the case (through the correlation view `ev`), the growing
 * footprint, the hosts the evidence shows, the rules' detections, and the few facts links hand to
 * each other (when the attacker first got in, their time on each host, credential files read, cron
 * files written). Links record attacker events through `event`, which tags the phase.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { all } from '../../store/case-db.js';
import { classify, EVENT_FIELDS, type EventRow } from '../classify.js';
import type { Entity, Footprint, Seed } from '../model.js';
import type { Phase } from '../rules.js';
import type { PersistenceFound } from './persistence.js';

/** The columns of a row read with EVENT_FIELDS: only such rows are kept for footprintRows. */
const ROW_FIELDS: readonly (keyof EventRow)[] = ['event_id', 'ts_us', 'source', 'class', 'action', 'outcome', 'host', 'actor', 'src_ip', 'src_port', 'dst_ip', 'dst_port', 'session', 'access_key', 'target', 'database', 'command', 'bytes_in', 'bytes_out', 'rows', 'attrs'];

export interface Detection {
  phase: Phase;
  technique: string;
  ruleId: string;
}

export interface ExpandOptions {
  seeds: Seed[];
  /** Events detected by rules, by event id (phase/technique used for attacker events). */
  detections: Map<number, Detection>;
  /** Max entities before expansion stops (a runaway guard). */
  maxEntities?: number;
}

export interface CredentialRead {
  host: string;
  tsUs: number;
  file: string;
  eventId: number;
  session: Entity;
}

export interface CronWrite {
  host: string;
  path: string;
  minute: number | null;
  hour: number | null;
  user: string;
  fromUs: number;
  eventId: number;
}

export interface NetworkMappingEntry {
  src: string;
  host: string;
  targets: Set<string>;
  ports: Set<number>;
  firstUs: number;
  lastUs: number;
  eventIds: number[];
}

export class LinkContext {
  /** The first successful attacker access seen so far: it decides what counts as recon. */
  firstAccessUs: number | null = null;
  /** Addresses that logged in as many accounts (an office NAT): never taken from an account. */
  readonly sharedAddresses = new Set<string>();
  /** The attacker's time on each host: [start, end] intervals in µs. */
  readonly hostWindows = new Map<string, [number, number][]>();
  readonly credentialReads: CredentialRead[] = [];
  readonly cronWrites: CronWrite[] = [];
  /** Statements logged before they ran whose ERROR followed: they did nothing. */
  readonly failedStatements = new Set<number>();
  readonly networkMapping: NetworkMappingEntry[] = [];
  /** What the attacker installed to come back (links/persistence.ts), and the events already read for it. */
  readonly persistence: PersistenceFound[] = [];
  readonly persistenceSeen = new Set<number>();
  /** Attacker events whose commands were already read for addresses (links/command-indicators.ts). */
  readonly indicatorsSeen = new Set<number>();
  /** Cron changes already followed to their new jobs (links/cron-jobs.ts): host|owner|time. */
  readonly cronJobsSeen = new Set<string>();
  /**
   * The events of the address the address link read last (all of them, in time order): the
   * network-victims link, which follows the same address next, takes its traffic from them
   * instead of reading the case again.
   */
  addressEvents: { ip: string; rows: EventRow[] } | null = null;
  /** Host activity already followed, by host (its addresses and windows then). */
  readonly expandedHosts = new Map<string, string>();

  constructor(
    readonly conn: DuckDBConnection,
    readonly fp: Footprint,
    readonly opts: ExpandOptions,
  ) {}

  q<T = EventRow>(sql: string, params?: Record<string, string | number | null>): Promise<T[]> {
    return all<T>(this.conn, sql, params as never);
  }

  /**
   * The footprint's events as read (EventRow columns), by id: the round links that look at what
   * the footprint holds (commands run, keys used) filter these instead of reading the case again
   * — `event_id IN (…)` over the view read every row's wide columns (2-5 s a round on 10M events).
   */
  private readonly rows = new Map<number, EventRow>();

  /** The footprint's events with these ids, in time order: as read, else from the case. */
  async footprintRows(ids: number[]): Promise<EventRow[]> {
    const out: EventRow[] = [];
    const missing: number[] = [];
    for (const id of ids) {
      const r = this.rows.get(id);
      if (r) out.push(r);
      else missing.push(id);
    }
    if (missing.length > 0) out.push(...(await this.q(`SELECT ${EVENT_FIELDS} FROM ev WHERE event_id IN (SELECT unnest($ids::BIGINT[]))`, { ids: `[${missing.join(',')}]` })));
    return out.sort((a, b) => a.ts_us - b.ts_us || a.event_id - b.event_id);
  }

  /** Records an attacker event: a rule's phase and technique when one fired on it, else classify's. */
  event(e: EventRow, entity: Entity | undefined, reason: string, phase?: Phase, technique?: string | null, decisive = false): void {
    if (ROW_FIELDS.every((f) => f in e)) this.rows.set(e.event_id, e);
    const det = this.opts.detections.get(e.event_id);
    const c = classify(e, this.firstAccessUs);
    this.fp.addEvent({ eventId: e.event_id, tsUs: e.ts_us, phase: phase ?? det?.phase ?? c.phase, technique: technique ?? det?.technique ?? c.technique, reason }, entity, decisive);
  }

  noteAccess(tsUs: number): void {
    if (this.firstAccessUs === null || tsUs < this.firstAccessUs) this.firstAccessUs = tsUs;
  }

  addWindow(host: string, start: number, end: number): void {
    const list = this.hostWindows.get(host) ?? [];
    if (!list.some(([s, e]) => s === start && e === end)) list.push([start, end]);
    this.hostWindows.set(host, list);
  }

  hostEntity(host: string, reason: string, e: EventRow): Entity {
    const h = this.fp.add('host', host, null, 'compromised', reason, { compromisedAtUs: e.ts_us });
    this.fp.touch(h, e.ts_us, e.event_id);
    return h;
  }
}
