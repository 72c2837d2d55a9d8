/**
 * Grows the attacker's footprint from the seeds by following the links of links/index.ts until
 * nothing new appears: each new entity through the entity links of its kind, then the round links
 * (credential reads → stolen keys, cron files → runs, compromised hosts → host links). Every step
 * records a reason and the events behind it.
 *
 * Guards against shared infrastructure live in the links and in one place here: an address that
 * logged in as several accounts (an office NAT) is never taken from an account.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { HostDirectory } from './hosts/directory.js';
import { THRESHOLDS } from './knowledge.js';
import { LinkContext, type ExpandOptions } from './links/context.js';
import { ENTITY_LINKS, ROUND_LINKS } from './links/index.js';
import { timed } from './timing.js';
import { Footprint, type Entity, type Seed } from './model.js';
import { VOCAB_LISTS } from './sql-vocabulary.js';
import { isSessionArn } from './links/cloud-identity.js';

export type { Seed };
export type { ExpandOptions };

/** Rounds of (entities, then round links) before the expansion stops even if it still grows. */
const MAX_ROUNDS = 8;

export class Expander {
  readonly fp: Footprint;
  readonly ctx: LinkContext;

  constructor(conn: DuckDBConnection, opts: ExpandOptions, hosts: HostDirectory = new HostDirectory([])) {
    this.fp = new Footprint(hosts);
    this.ctx = new LinkContext(conn, this.fp, opts);
  }

  get networkMapping() {
    return this.ctx.networkMapping;
  }

  get failedStatements() {
    return this.ctx.failedStatements;
  }

  /** Progress callback: entities and events so far (for a terminal). */
  onProgress: ((entities: number, events: number) => void) | null = null;

  async run(): Promise<Footprint> {
    const { ctx, fp } = this;
    const shared = await ctx.q<{ ip: string }>(
      `SELECT src_ip AS ip FROM ev WHERE action IN ${VOCAB_LISTS.remote_login} AND outcome = 'success' AND src_ip IS NOT NULL
       GROUP BY src_ip HAVING count(DISTINCT actor) >= ${THRESHOLDS.sharedAddressAccounts}`,
    );
    for (const r of shared) ctx.sharedAddresses.add(r.ip);
    for (const s of ctx.opts.seeds) fp.add(s.kind === 'iam_principal' && isSessionArn(s.value) ? 'session' : s.kind, s.value, s.host, null, 'seed');
    const max = ctx.opts.maxEntities ?? 500;
    let processed = 0;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      while (processed < fp.queue.length && processed < max) {
        await this.expand(fp.queue[processed++]!);
        this.onProgress?.(fp.entities.size, fp.events.size);
      }
      const before = fp.entities.size + fp.events.size + fp.hosts.size;
      for (const link of ROUND_LINKS) await timed(`round link ${link.name}`, () => link.run(ctx));
      const after = fp.entities.size + fp.events.size + fp.hosts.size;
      this.onProgress?.(fp.entities.size, fp.events.size);
      if (after === before && processed >= fp.queue.length) break;
    }
    if (processed >= max) fp.notes.push(`expansion stopped at ${max} entities (runaway guard)`);
    return fp;
  }

  private async expand(e: Entity): Promise<void> {
    for (const link of ENTITY_LINKS) if (link.follows === e.kind && (!link.appliesTo || link.appliesTo(e))) await timed(`link ${link.name}`, () => link.expand(this.ctx, e));
  }
}

