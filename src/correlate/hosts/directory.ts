/**
 * The hosts of the case and their addresses, as correlation looks them up: loaded from the `hosts`
 * table (learn.ts), plus what a link infers while the footprint grows (an internal address a
 * compromised account logged in from during the attacker's session on a host). Every answer
 * carries its reason so the findings can show each host's addresses and why.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { all } from '../../store/case-db.js';
import { NAMING } from './learn.js';

export interface HostFact {
  host: string;
  address: string | null;
  firstUs: number | null;
  lastUs: number | null;
  how: string;
  reason: string;
  ambiguous: boolean;
}

/** Naming learners, strongest first: the one a host's address is reported under. */
const RANK = new Map<string, number>([['own_log', 0], ['inbound_flow', 1], ['cloud_name_tag', 2], ['dhcp', 3], ['dns', 4], ['inferred', 5]]);

export class HostDirectory {
  private readonly inferred: HostFact[] = [];

  constructor(private readonly facts: HostFact[]) {}

  static async load(conn: DuckDBConnection): Promise<HostDirectory> {
    const rows = await all<{ host: string; address: string | null; first_us: number | null; last_us: number | null; how: string; reason: string; ambiguous: boolean }>(
      conn,
      `SELECT host, address, epoch_us(first_seen) AS first_us, epoch_us(last_seen) AS last_us, how, reason, ambiguous FROM hosts ORDER BY host, address, how`,
    );
    return new HostDirectory(rows.map((r) => ({ host: r.host, address: r.address, firstUs: r.first_us, lastUs: r.last_us, how: r.how, reason: r.reason, ambiguous: r.ambiguous })));
  }

  private named(): HostFact[] {
    return [...this.facts.filter((f) => f.address !== null && !f.ambiguous && (NAMING as readonly string[]).includes(f.how)), ...this.inferred];
  }

  /** The machine name an address belongs to (null when unknown or ambiguous). */
  hostOf(ip: string | null | undefined): string | null {
    if (!ip) return null;
    if (this.facts.some((f) => f.address === ip && f.ambiguous)) return null;
    const cands = this.named().filter((f) => f.address === ip);
    cands.sort((a, b) => (RANK.get(a.how) ?? 9) - (RANK.get(b.how) ?? 9) || (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
    return cands[0]?.host ?? null;
  }

  /** A host's addresses (not ambiguous), each with how and why it is known; sorted by address. */
  addressesOf(host: string): { ip: string; how: string; reason: string }[] {
    const out = new Map<string, { ip: string; how: string; reason: string }>();
    const facts = this.named().filter((f) => f.host === host && f.address !== null);
    facts.sort((a, b) => (RANK.get(a.how) ?? 9) - (RANK.get(b.how) ?? 9));
    for (const f of facts) if (!out.has(f.address!) && this.hostOf(f.address) === host) out.set(f.address!, { ip: f.address!, how: f.how, reason: f.reason });
    return [...out.values()].sort((a, b) => (a.ip < b.ip ? -1 : 1));
  }

  /** Other names of the machine at these addresses (a VPC interface id, an instance id): aliases. */
  aliasesOf(host: string): { alias: string; ip: string; how: string; reason: string }[] {
    const ips = new Set(this.addressesOf(host).map((a) => a.ip));
    const out = new Map<string, { alias: string; ip: string; how: string; reason: string }>();
    for (const f of this.facts) {
      if (f.address === null || !ips.has(f.address) || f.host === host || (NAMING as readonly string[]).includes(f.how)) continue;
      const prior = out.get(`${f.host}|${f.address}`);
      if (prior) prior.reason += `; ${f.reason}`;
      else out.set(`${f.host}|${f.address}`, { alias: f.host, ip: f.address, how: f.how, reason: f.reason });
    }
    return [...out.values()].sort((a, b) => (a.alias < b.alias ? -1 : a.alias > b.alias ? 1 : a.ip < b.ip ? -1 : 1));
  }

  /** Records an address inferred by a link; kept only when the evidence does not already place it. */
  infer(ip: string, host: string, reason: string, tsUs: number): boolean {
    if (this.hostOf(ip) !== null || this.facts.some((f) => f.address === ip && f.ambiguous)) return false;
    this.inferred.push({ host, address: ip, firstUs: tsUs, lastUs: tsUs, how: 'inferred', reason, ambiguous: false });
    return true;
  }

  /** How many addresses are placed (a change counter for the footprint's fixpoint). */
  get size(): number {
    return this.inferred.length;
  }
}
