/**
 * Runs footprint links on a MiniCase: the correlation view and the hosts table built as
 * `dwell correlate` builds them, an empty footprint, and the link (or the whole expander).
 */
import { createCaseView } from '../../src/correlate/case-view.js';
import { Expander } from '../../src/correlate/expand.js';
import { HostDirectory } from '../../src/correlate/hosts/directory.js';
import { learnHosts } from '../../src/correlate/hosts/learn.js';
import { LinkContext, type Detection } from '../../src/correlate/links/context.js';
import { Footprint, type Seed } from '../../src/correlate/model.js';
import type { MiniCase } from './mini-case.js';

/** Prepares the view and the hosts table; returns a fresh link context. */
export async function linkContext(mini: MiniCase, detections = new Map<number, Detection>()): Promise<LinkContext> {
  await createCaseView(mini.conn);
  await learnHosts(mini.conn);
  const hosts = await HostDirectory.load(mini.conn);
  return new LinkContext(mini.conn, new Footprint(hosts), { seeds: [], detections });
}

/** The whole expansion from these seeds, as correlate runs it. */
export async function expandFrom(mini: MiniCase, seeds: Seed[], detections = new Map<number, Detection>()): Promise<Expander> {
  await createCaseView(mini.conn);
  await learnHosts(mini.conn);
  const hosts = await HostDirectory.load(mini.conn);
  const x = new Expander(mini.conn, { seeds, detections }, hosts);
  await x.run();
  return x;
}

/** The footprint's entities as `kind value[@host]` strings, sorted. */
export function entityKeys(fp: Footprint): string[] {
  return [...fp.entities.values()].map((e) => `${e.kind} ${e.value}${e.host ? '@' + e.host : ''}`).sort();
}
