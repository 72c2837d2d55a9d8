/**
 * Internet noise against the exposed bastion: SSH password guessing from many addresses (never
 * successful), banner grabs, and SYN probes of closed ports dropped by the security group. A fixed
 * pool of brute-forcing addresses each shows up at a fixed time whatever the scale (so the trap
 * list is stable); the scale adds more attempts from the same pool.
 */
import { HOSTS, WINDOW } from '../estate.js';
import { sshBadProtocol, sshFailed, sshNoIdent, type Ctx } from '../hostlog.js';
import { Rng } from '../rng.js';
import { HOUR, SEC } from '../time.js';
import { type Actor, type Bg, publicIp, within } from './common.js';

export const NOISE_POOL_SIZE = 120;

/** The brute-forcing addresses (scale-independent). */
export function noisePool(seed: number): string[] {
  const rng = new Rng(seed, 'noise-pool');
  const out = new Set<string>();
  while (out.size < NOISE_POOL_SIZE) out.add(publicIp(rng));
  return [...out];
}

const USERS: [string, boolean, number][] = [
  ['root', false, 30], ['ubuntu', false, 4], ['deploy', false, 1], ['admin', true, 8], ['test', true, 5], ['user', true, 5], ['oracle', true, 3],
  ['postgres', true, 3], ['guest', true, 2], ['ftpuser', true, 2], ['git', true, 3], ['ubnt', true, 2], ['support', true, 2], ['pi', true, 2],
  ['debian', true, 1], ['centos', true, 1], ['hadoop', true, 1], ['mysql', true, 2], ['webadmin', true, 1], ['administrator', true, 1],
  ['jenkins', true, 2], ['nagios', true, 1], ['tomcat', true, 1], ['minecraft', true, 1], ['steam', true, 1], ['vagrant', true, 1],
  ['ansible', true, 1], ['dev', true, 2], ['developer', true, 1], ['test1', true, 1], ['ftp', true, 1], ['odoo', true, 1], ['es', true, 1],
  ['elastic', true, 1], ['solana', true, 2], ['sol', true, 2], ['docker', true, 1], ['kafka', true, 1], ['redis', true, 1], ['zabbix', true, 1],
  ['gitlab-runner', true, 1], ['ec2-user', true, 2], ['azureuser', true, 1], ['ts3', true, 1], ['sftp', true, 1],
];
const USER_WEIGHTS = USERS.map((u) => [u, u[2]] as const);

const CLOSED_PORTS: [number, number][] = [[23, 12], [445, 10], [3389, 10], [80, 6], [443, 6], [8080, 6], [1433, 4], [3306, 4], [5900, 3], [2222, 5], [8443, 2], [6379, 3], [5555, 2], [81, 2], [8000, 2], [9200, 1], [2375, 1], [11211, 1], [123, 1]];

export class Noise implements Actor {
  private readonly pool: string[];
  private readonly first = new Map<number, { ip: string; t: number }[]>();
  private readonly bastion = HOSTS['bastion-01'];

  constructor(private readonly bg: Bg) {
    this.pool = noisePool(bg.seed);
    const fixed = new Rng(bg.seed, 'noise-first');
    const span = WINDOW.end - WINDOW.authStart - 2 * HOUR;
    for (const ip of this.pool) {
      const t = WINDOW.authStart + Math.floor(fixed.float() * span);
      const h = Math.floor(t / HOUR);
      const list = this.first.get(h) ?? [];
      list.push({ ip, t });
      this.first.set(h, list);
    }
  }

  hour(h0: number): void {
    if (h0 < WINDOW.authStart) return;
    const { rng, scale } = this.bg;
    const c: Ctx = { E: this.bg.E, rng };
    for (const f of this.first.get(Math.floor(h0 / HOUR)) ?? []) this.attempt(c, f.ip, f.t);
    const n = rng.poisson(0.35 * scale);
    for (let i = 0; i < n; i++) {
      // A few addresses are persistent; most come and go.
      const ip = rng.chance(0.6) ? this.pool[Math.floor(rng.float() ** 2 * this.pool.length)]! : rng.pick(this.pool);
      this.attempt(c, ip, within(rng, h0));
    }
    const probes = rng.poisson(1.2 * scale);
    for (let i = 0; i < probes; i++) {
      const port = rng.weighted(CLOSED_PORTS);
      const t = within(rng, h0);
      this.bg.E.conn(
        { start: t, dur: rng.chance(0.7) ? 0 : rng.int(1, 3) * SEC, src: publicIp(rng), sport: rng.int(1024, 65535), dst: this.bastion.privateIp, dport: port, proto: port === 123 ? 'udp' : 'tcp', origPkts: 1, origIpBytes: port === 123 ? 76 : rng.pick([40, 44, 60]), respPkts: 0, respIpBytes: 0, action: 'REJECT' },
        rng,
      );
    }
  }

  private attempt(c: Ctx, ip: string, t: number): void {
    const { rng } = this.bg;
    const r = rng.float();
    if (r < 0.08) {
      sshNoIdent(c, 'bastion-01', ip, t);
    } else if (r < 0.1) {
      sshBadProtocol(c, 'bastion-01', ip, t, rng.pick(['GET / HTTP/1.1', 'HEAD / HTTP/1.0', 'MGLNDD_3.120.55.10_22']));
    } else {
      const [user, invalid] = rng.weighted(USER_WEIGHTS);
      const attempts = user === 'root' ? rng.pick([1, 1, 2, 6]) : rng.pick([1, 1, 1, 2, 3]);
      sshFailed(c, { host: 'bastion-01', user, invalid, src: ip, start: t, attempts, leave: rng.chance(0.5) ? 'bye' : 'close' });
    }
  }
}
