/**
 * The three shapes of footprint link (registered in links/index.ts):
 * - an entity link follows one kind of entity to what it leads to (an address to its logins);
 * - a round link looks at what the footprint holds after each round (credential files read →
 *   keys later misused; cron files written → their runs; compromised hosts → host links);
 * - a host link follows a compromised host, within the attacker's time on it, to what came from it.
 */
import type { Entity } from '../model.js';
import type { EntityKind } from '../rules.js';
import type { LinkContext } from './context.js';

export interface EntityLink {
  name: string;
  /** One line for docs/correlation.md: from what to what, how. */
  describe: string;
  follows: EntityKind;
  /** When several links follow one kind (SSH vs cloud sessions), which entities this one takes. */
  appliesTo?(e: Entity): boolean;
  expand(ctx: LinkContext, e: Entity): Promise<void>;
}

export interface RoundLink {
  name: string;
  describe: string;
  run(ctx: LinkContext): Promise<void>;
}

/** A compromised host with its addresses and the attacker's time on it. */
export interface HostScope {
  host: string;
  ips: string[];
  windows: [number, number][];
  /** SQL: the host's addresses (a temp table, bound from the evidence, never spliced as text). */
  ipList: string;
  /** SQL: `ts` within the attacker's time on the host (numbers only). */
  within: string;
}

export interface HostLink {
  name: string;
  describe: string;
  run(ctx: LinkContext, scope: HostScope): Promise<void>;
}
