/**
 * What the machines do by themselves: cron sessions (hourly run-parts, cron.daily, the bastion's
 * nightly tools sync that legitimately uses svc-bastion-ops's key from the bastion's own address),
 * PostgreSQL checkpoints and autovacuum reports, package updates, and the NODATA records of
 * web-02's ENI while it was stopped for maintenance.
 */
import { iamUser, s3DataEvent, UA } from '../cloudtrail.js';
import { AGGREGATION } from '../emit.js';
import { BUCKETS, HOSTS, IAM, REGION, WINDOW, type HostName } from '../estate.js';
import { cronSession, ephemeralPort, type Ctx } from '../hostlog.js';
import { WEB02_MAINTENANCE } from '../objects.js';
import { HOUR, localHour, MIN, SEC } from '../time.js';
import { S3_IPS } from './app.js';
import type { Actor, Bg } from './common.js';

const MIRRORS: Record<HostName, string[]> = {
  'bastion-01': ['91.189.91.83', '185.125.190.39'],
  'web-01': ['151.101.130.132', '151.101.66.132'],
  'web-02': ['151.101.130.132', '151.101.66.132'],
  'db-01': ['3.68.28.161', '18.158.74.12'],
};

export class System implements Actor {
  private readonly checkpointerPid = 1032;
  private lsn = 0x3a1b2c3d8;

  constructor(private readonly bg: Bg) {}

  hour(h0: number): void {
    const { rng, E, scale } = this.bg;
    const c: Ctx = { E, rng };
    const { hour } = localHour(h0);
    // Hourly run-parts (Debian/Ubuntu at :17, RHEL's 0anacron at :01); cron.daily at 06:25.
    if (h0 >= WINDOW.authStart) {
      cronSession(c, 'bastion-01', h0 + 17 * MIN + rng.int(1, 2) * SEC, 'root', 0, 0);
      cronSession(c, 'web-01', h0 + 17 * MIN + rng.int(1, 2) * SEC, 'root', 0, 0);
      if (hour === 6) {
        cronSession(c, 'bastion-01', h0 + 25 * MIN + rng.int(1, 2) * SEC, 'root', 0, rng.int(20, 140));
        cronSession(c, 'web-01', h0 + 25 * MIN + rng.int(1, 2) * SEC, 'root', 0, rng.int(20, 140));
        for (const host of ['bastion-01', 'web-01', 'web-02', 'db-01'] as const) this.updates(host, h0 + 25 * MIN + rng.int(30, 400) * SEC);
      }
      if (hour === 4) this.toolsSync(c, h0 + 10 * MIN + rng.int(1, 2) * SEC);
    }
    if (h0 >= WINDOW.secureStart) cronSession(c, 'db-01', h0 + 1 * MIN + rng.int(1, 2) * SEC, 'root', 0, 0);
    // PostgreSQL background processes (the prefix stops at %q: no user@db).
    if (h0 >= WINDOW.pgStart) {
      const p = Math.min(1, 0.05 * Math.sqrt(scale));
      for (let m = 0; m < 60; m += 5) if (rng.chance(p)) this.checkpoint(h0 + m * MIN + rng.int(0, 999) * 1000);
      if (rng.chance(0.04)) this.autovacuum(h0 + rng.int(0, 59) * MIN + rng.int(0, 59_999) * 1000);
    }
    // web-02 stopped: its ENI reports NODATA for each aggregation window.
    for (let w = Math.floor(WEB02_MAINTENANCE.from / AGGREGATION) * AGGREGATION; w < WEB02_MAINTENANCE.to; w += AGGREGATION) {
      if (w >= h0 && w < h0 + HOUR) E.nodata(HOSTS['web-02'].eni, w, w + AGGREGATION - SEC);
    }
  }

  private checkpoint(t: number): void {
    const { rng, E } = this.bg;
    const buffers = rng.int(40, 4_200);
    const write = rng.int(3_000, 269_000) / 1000;
    E.pg(t, this.checkpointerPid, null, 'LOG', 'checkpoint starting: time');
    const done = t + Math.round(write * SEC) + rng.int(10, 90) * 1000;
    const dist = rng.int(300, 24_000);
    const redo = this.lsn + rng.int(1_000, 90_000);
    this.lsn = redo + dist * 1024;
    const hex = (n: number) => `${Math.floor(n / 2 ** 32).toString(16).toUpperCase()}/${(n % 2 ** 32).toString(16).toUpperCase().padStart(8, '0')}`;
    E.pg(done, this.checkpointerPid, null, 'LOG',
      `checkpoint complete: wrote ${buffers} buffers (${((buffers / 16384) * 100).toFixed(1)}%); 0 WAL file(s) added, 0 removed, ${rng.int(0, 2)} recycled; write=${write.toFixed(3)} s, sync=${(rng.int(1, 60) / 1000).toFixed(3)} s, total=${(write + 0.06).toFixed(3)} s; sync files=${rng.int(3, 60)}, longest=${(rng.int(1, 9) / 1000).toFixed(3)} s, average=0.001 s; distance=${dist} kB, estimate=${dist + rng.int(0, 2_000)} kB; lsn=${hex(this.lsn)}, redo lsn=${hex(redo)}`);
  }

  private autovacuum(t: number): void {
    const { rng, E } = this.bg;
    const table = rng.pick(['sessions', 'orders', 'inventory', 'order_items']);
    const pages = rng.int(2_000, 20_000);
    const scanned = rng.int(500, pages);
    const removed = rng.int(1_000, 90_000);
    const pid = E.pids['db-01'].next(t, rng.int(1, 4));
    E.pg(t, pid, null, 'LOG', [
      `automatic vacuum of table "shop.public.${table}": index scans: 1`,
      `pages: 0 removed, ${pages} remain, ${scanned} scanned (${((scanned / pages) * 100).toFixed(2)}% of total)`,
      `tuples: ${removed} removed, ${rng.int(100_000, 900_000)} remain, 0 are dead but not yet removable`,
      `removable cutoff: ${rng.int(9_000_000, 9_900_000)}, which was ${rng.int(0, 9)} XIDs old when operation ended`,
      'frozen: 0 pages from table (0.00% of total) had 0 tuples frozen',
      `index scan needed: ${rng.int(100, scanned)} pages from table had ${removed} dead item identifiers removed`,
      `index "${table}_pkey": pages: ${rng.int(300, 4_000)} in total, 0 newly deleted, 0 currently deleted, 0 reusable`,
      `avg read rate: ${(rng.int(1_000, 40_000) / 1000).toFixed(3)} MB/s, avg write rate: ${(rng.int(1_000, 30_000) / 1000).toFixed(3)} MB/s`,
      `buffer usage: ${rng.int(5_000, 60_000)} hits, ${rng.int(100, 9_000)} misses, ${rng.int(100, 6_000)} dirtied`,
      `WAL usage: ${rng.int(1_000, 20_000)} records, ${rng.int(100, 6_000)} full page images, ${rng.int(1_000_000, 40_000_000)} bytes`,
      `system usage: CPU: user: ${(rng.int(10, 900) / 100).toFixed(2)} s, system: ${(rng.int(1, 90) / 100).toFixed(2)} s, elapsed: ${(rng.int(100, 9_000) / 100).toFixed(2)} s`,
    ].join('\n'));
  }

  private updates(host: HostName, t: number): void {
    const { rng, E } = this.bg;
    const mirror = rng.pick(MIRRORS[host]);
    const down = rng.int(40_000, 2_400_000);
    const pk = Math.ceil(down / 1_400) + 8;
    E.conn({ start: t, dur: rng.int(300, 9_000) * 1000, src: HOSTS[host].privateIp, sport: ephemeralPort(rng), dst: mirror, dport: host === 'db-01' ? 443 : 80, proto: 'tcp', origPkts: Math.ceil(pk / 2), origIpBytes: Math.ceil(pk / 2) * 52 + 2_100, respPkts: pk, respIpBytes: down + pk * 52, service: host === 'db-01' ? 'ssl' : 'http', history: 'ShADadFf', state: 'SF' }, rng);
  }

  /** root's nightly sync of the ops tools from S3, with svc-bastion-ops's key, from the bastion's EIP. */
  private toolsSync(c: Ctx, t: number): void {
    const { rng, E } = this.bg;
    cronSession(c, 'bastion-01', t, 'root', 0, rng.int(8, 30));
    if (t < WINDOW.netStart) return;
    const bastion = HOSTS['bastion-01'];
    const id = iamUser(IAM.opsUser, IAM.opsUserId, IAM.opsKey);
    let u = t + rng.int(2, 5) * SEC;
    E.ct(u, REGION, s3DataEvent(rng, { t: u, identity: id, ip: bastion.publicIp!, ua: UA.bastionCli('s3.sync'), name: 'ListObjects', bucket: BUCKETS.assets, prefix: 'tools/' }));
    let bytes = 0;
    for (let i = rng.int(0, 2); i > 0; i--) {
      u += rng.int(1, 4) * SEC;
      const b = rng.int(4_000, 900_000);
      bytes += b;
      E.ct(u, REGION, s3DataEvent(rng, { t: u, identity: id, ip: bastion.publicIp!, ua: UA.bastionCli('s3.sync'), name: 'GetObject', bucket: BUCKETS.assets, key: `tools/${rng.pick(['ops-cli', 'healthcheck', 'rotate-logs'])}-${rng.int(1, 9)}.${rng.int(0, 20)}.tar.gz`, bytesOut: b }));
    }
    const pk = Math.ceil(bytes / 1_400) + 10;
    E.conn({ start: t + SEC, dur: u - t + 2 * SEC, src: bastion.privateIp, sport: ephemeralPort(rng), dst: rng.pick(S3_IPS), dport: 443, proto: 'tcp', origPkts: 14, origIpBytes: 14 * 52 + 3_100, respPkts: pk, respIpBytes: bytes + pk * 52 + 6_000, service: 'ssl', history: 'ShADadFf', state: 'SF' }, rng);
  }
}
