/**
 * Every footprint link, registered in one place. The expander (expand.ts) follows each new entity
 * through the entity links of its kind, then after each round runs the round links, until nothing
 * new appears. docs/correlation.md lists them from here. A new link is one module + one line here
 * + a unit test on a small hand-made case (test/correlate/links/).
 */
import { addressLink } from './address.js';
import { accessKeyLink } from './cloud-key.js';
import { cloudSessionLink, principalLink } from './cloud-principal.js';
import { commandIndicatorsLink } from './command-indicators.js';
import { cronJobsLink } from './cron-jobs.js';
import { cronRunsLink } from './cron.js';
import { dbRoleLink } from './db-role.js';
import { dbSessionLink } from './db-session.js';
import { hostActivityLink, hostSeedLink } from './host.js';
import { localUserLink } from './local-user.js';
import { egressLink, sweepLink } from './network.js';
import { c2PeersLink } from './network-c2.js';
import { lateralLink } from './network-lateral.js';
import { networkVictimsLink } from './network-victims.js';
import { persistenceLink } from './persistence.js';
import { plantedKeysLink } from './planted-keys.js';
import { sshSessionLink } from './ssh-session.js';
import { stolenKeysLink } from './stolen-keys.js';
import type { EntityLink, HostLink, RoundLink } from './types.js';
import { unitsStartedLink } from './units.js';

export const ENTITY_LINKS: readonly EntityLink[] = [addressLink, localUserLink, sshSessionLink, cloudSessionLink, accessKeyLink, principalLink, dbRoleLink, hostSeedLink, networkVictimsLink];

/** Followed for every compromised host with known addresses, within the attacker's time on it. */
export const HOST_LINKS: readonly HostLink[] = [dbSessionLink, egressLink, sweepLink, c2PeersLink, lateralLink];

export const ROUND_LINKS: readonly RoundLink[] = [
  stolenKeysLink,
  persistenceLink,
  cronRunsLink,
  cronJobsLink,
  unitsStartedLink,
  plantedKeysLink,
  commandIndicatorsLink,
  hostActivityLink(HOST_LINKS),
];

export type { EntityLink, HostLink, RoundLink } from './types.js';
