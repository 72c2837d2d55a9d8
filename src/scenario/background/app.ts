/**
 * The shop application: customer requests through the ALB to web-01/web-02, each running a few
 * parameterized statements (node-postgres, extended protocol) on a pool of PostgreSQL backends as
 * shop_app — the very role the attacker borrows, from the very host he uses; reads of
 * acme-app-assets with the instance role; calls to the payment provider; instance-profile
 * credential refreshes; the pool reconnecting after each release and after web-02's maintenance.
 */
import { assumedRole, awsService, ctRecord, type RoleSession, s3DataEvent, sessionArn, sessionToken, awsDate, UA } from '../cloudtrail.js';
import { ACCOUNT, ALB_IPS, APP_PORT, BUCKETS, DB, HOSTS, IAM, REGION, S3_VPC_ENDPOINT, SECRETS, WINDOW, type HostName } from '../estate.js';
import { ephemeralPort } from '../hostlog.js';
import { releaseAt, releaseRestart, WEB02_MAINTENANCE } from '../objects.js';
import { pgConnect, type PgCtx, pgDisconnect, pgError, pgExecute, type PgSession, pgStatement } from '../pglog.js';
import { Rng } from '../rng.js';
import { DAY, HOUR, MIN, SEC } from '../time.js';
import { type Actor, type Bg, diurnal, publicIp } from './common.js';

const POOL = 4;
const WINDOW_US = 10 * MIN;
export const S3_IPS = ['52.219.170.46', '52.219.171.22', '52.219.168.94', '3.5.136.121', '3.5.137.184'];

/** The payment provider's API addresses (fixed per seed). */
export function paymentIps(seed: number): string[] {
  const r = new Rng(seed, 'psp-ips');
  return [publicIp(r), publicIp(r), publicIp(r)];
}

/** The product-analytics collector the app reports to (fixed per seed). */
export function analyticsIps(seed: number): string[] {
  const r = new Rng(seed, 'analytics-ips');
  return [publicIp(r), publicIp(r)];
}

const FIRST = ['anna', 'ben', 'clara', 'david', 'emma', 'felix', 'greta', 'hannah', 'ida', 'jonas', 'karl', 'lena', 'max', 'nina', 'oskar', 'paula', 'quinn', 'rosa', 'sven', 'tara', 'uwe', 'vera', 'willi', 'yara', 'zoe'];
const LAST = ['mueller', 'schmidt', 'schneider', 'fischer', 'weber', 'meyer', 'wagner', 'becker', 'schulz', 'hoffmann', 'koch', 'richter', 'klein', 'wolf', 'neumann', 'schwarz', 'braun', 'zimmermann', 'krueger', 'hartmann'];
const DOMAINS = ['example.com', 'example.org', 'example.net'];
const CATEGORIES = ['coffee', 'tea', 'mugs', 'grinders', 'filters', 'gift-cards', 'accessories', 'beans-espresso', 'beans-filter'];

interface Backend {
  session: PgSession;
  port: number;
  /** Traffic this hour per aggregation window: [first, last, statements]. */
  windows: Map<number, [number, number, number]>;
}

interface Instance {
  host: HostName;
  pool: Backend[];
  creds: RoleSession;
  nextRefresh: number;
  s3: Map<number, [number, number, number]>;
}

export class App implements Actor {
  private readonly inst: Record<'web-01' | 'web-02', Instance>;
  private readonly psp: string[];
  private readonly analytics: string[];
  private readonly pg: PgCtx;

  constructor(private readonly bg: Bg) {
    this.pg = { E: bg.E, rng: bg.rng };
    this.psp = paymentIps(bg.seed);
    this.analytics = analyticsIps(bg.seed);
    this.inst = { 'web-01': this.instance('web-01'), 'web-02': this.instance('web-02') };
  }

  private instance(host: HostName): Instance {
    const { rng } = this.bg;
    const started = WINDOW.pgStart - rng.int(2, 6) * DAY;
    const pool: Backend[] = [];
    for (let i = 0; i < POOL; i++) pool.push(this.backend(host, started, false));
    return { host, pool, creds: this.newCreds(host, started), nextRefresh: WINDOW.pgStart + rng.int(1, 6) * HOUR, s3: new Map() };
  }

  private newCreds(host: HostName, t: number): RoleSession {
    const { rng } = this.bg;
    return { role: IAM.webRole, roleId: IAM.webRoleId, session: HOSTS[host].instanceId, accessKeyId: rng.accessKeyId('ASIA'), creationDate: new Date(t / 1000).toISOString().replace(/\.\d+Z$/, 'Z'), ec2: true };
  }

  private backend(host: HostName, t: number, log: boolean): Backend {
    const { rng, E } = this.bg;
    const pid = E.pids['db-01'].next(t, rng.int(1, 5));
    const port = ephemeralPort(rng);
    if (!log) {
      const who = `${DB.appRole}@${DB.name}`;
      return { session: { pid, user: DB.appRole, db: DB.name, client: HOSTS[host].privateIp, port, app: DB.appName, start: t, who }, port, windows: new Map() };
    }
    const { session } = pgConnect(this.pg, { t, pid, user: DB.appRole, client: HOSTS[host].privateIp, port, app: DB.appName });
    return { session, port, windows: new Map() };
  }

  /** The app restarts: the pool disconnects and reconnects; the Stripe key is fetched again. */
  private restart(inst: Instance, down: number, up: number): void {
    const { rng, E } = this.bg;
    for (const b of inst.pool) {
      this.flushBackend(inst, b);
      pgDisconnect(this.pg, b.session, down + rng.int(5, 400) * 1000);
    }
    inst.pool = [];
    for (let i = 0; i < POOL; i++) inst.pool.push(this.backend(inst.host, up + rng.int(200, 1_500) * 1000 + i * rng.int(3, 40) * 1000, true));
    const t = up - rng.int(1, 3) * SEC;
    E.ct(t, REGION, ctRecord(rng, {
      t, identity: assumedRole(inst.creds), source: 'secretsmanager.amazonaws.com', name: 'GetSecretValue', ip: HOSTS[inst.host].privateIp, ua: UA.appSecrets,
      req: { secretId: SECRETS.stripe }, readOnly: true, host: `secretsmanager.${REGION}.amazonaws.com`,
    }));
  }

  hour(h0: number): void {
    if (h0 < WINDOW.pgStart) return;
    const { rng, scale } = this.bg;
    for (const host of ['web-01', 'web-02'] as const) {
      const inst = this.inst[host];
      const restarts: [number, number][] = [];
      const rel = releaseAt(Math.floor(h0 / DAY) * DAY);
      // erik restarts web-01 about two minutes after logging in, web-02 six minutes later.
      if (rel !== null && rel >= h0 && rel < h0 + HOUR) {
        const at = releaseRestart(rel, host);
        restarts.push([at + SEC, at + 4 * SEC]);
      }
      if (host === 'web-02' && WEB02_MAINTENANCE.from >= h0 && WEB02_MAINTENANCE.from < h0 + HOUR) restarts.push([WEB02_MAINTENANCE.from, WEB02_MAINTENANCE.to + 2 * MIN]);
      if (inst.nextRefresh < h0 + HOUR) {
        const t = Math.max(inst.nextRefresh, h0);
        this.refresh(inst, t);
        inst.nextRefresh = t + rng.int(5, 6) * HOUR + rng.int(0, 59) * MIN;
      }
      const n = rng.poisson(3.2 * scale * diurnal(h0 + 30 * MIN));
      const times: number[] = [];
      for (let i = 0; i < n; i++) times.push(h0 + Math.floor(rng.float() * HOUR));
      times.sort((a, b) => a - b);
      let down: [number, number] | null = null;
      for (const t of times) {
        while (restarts.length > 0 && restarts[0]![0] <= t) {
          down = restarts.shift()!;
          this.restart(inst, down[0], down[1]);
        }
        if (down && t >= down[0] - 2 * SEC && t < down[1] + 5 * SEC) continue;
        if (host === 'web-02' && t >= WEB02_MAINTENANCE.from - 30 * SEC && t < WEB02_MAINTENANCE.to + 3 * MIN) continue;
        // One request in three reaches the database; the others are served from the app's cache.
        if (rng.chance(1 / 3)) this.request(inst, t);
        else this.cached(inst, t);
      }
      for (const r of restarts) this.restart(inst, r[0], r[1]);
      for (const b of inst.pool) this.flushBackend(inst, b);
      this.flushS3(inst);
    }
  }

  private refresh(inst: Instance, t: number): void {
    const { rng, E } = this.bg;
    inst.creds = this.newCreds(inst.host, t);
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/${IAM.webRole}`;
    E.ct(t, REGION, ctRecord(rng, {
      t, identity: awsService('ec2.amazonaws.com'), source: 'sts.amazonaws.com', name: 'AssumeRole', ip: 'ec2.amazonaws.com', ua: 'ec2.amazonaws.com',
      req: { roleArn, roleSessionName: inst.creds.session },
      resp: { credentials: { accessKeyId: inst.creds.accessKeyId, sessionToken: sessionToken(rng), expiration: awsDate(t + 6 * HOUR + 25 * MIN) }, assumedRoleUser: { assumedRoleId: `${IAM.webRoleId}:${inst.creds.session}`, arn: sessionArn(inst.creds) } },
      readOnly: true, resources: [{ accountId: ACCOUNT, type: 'AWS::IAM::Role', ARN: roleArn }], eventType: 'AwsApiCall',
    }));
  }

  private request(inst: Instance, t: number): void {
    const { rng, E } = this.bg;
    const host = HOSTS[inst.host];
    const b = rng.pick(inst.pool);
    const kind = rng.weighted([['browse', 40], ['account', 20], ['order', 15], ['login', 10], ['checkout', 10], ['signup', 5]] as const);
    const cust = String(rng.int(1, 48_211));
    let u = t + rng.int(800, 9_000);
    let stmts = 0;
    const ex = (sql: string, params: string[]) => {
      pgExecute(this.pg, b.session, u, sql, params);
      u += rng.int(300, 6_000);
      stmts++;
    };
    const st = (sql: string) => {
      pgStatement(this.pg, b.session, u, sql);
      u += rng.int(200, 2_000);
      stmts++;
    };
    switch (kind) {
      case 'browse':
        ex('SELECT p.id, p.name, p.price_cents, i.quantity FROM public.products p JOIN public.inventory i ON i.product_id = p.id WHERE p.category = $1 AND p.active ORDER BY p.name LIMIT $2', [rng.pick(CATEGORIES), '24']);
        break;
      case 'account':
        ex('SELECT id, email, full_name, created_at FROM public.customers WHERE id = $1', [cust]);
        ex('SELECT id, status, total_cents, created_at FROM public.orders WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 20', [cust]);
        if (rng.chance(0.5)) ex('SELECT id, street, city, postal_code, country FROM public.addresses WHERE customer_id = $1', [cust]);
        break;
      case 'order':
        ex('SELECT id, status, total_cents, created_at FROM public.orders WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 20', [cust]);
        ex('SELECT oi.product_id, oi.quantity, oi.unit_price_cents FROM public.order_items oi WHERE oi.order_id = $1', [String(rng.int(100_000, 412_000))]);
        break;
      case 'login':
        ex('SELECT id, password_hash, full_name FROM public.customers WHERE email = $1', [this.email()]);
        break;
      case 'checkout': {
        ex('SELECT id, card_brand, card_last4, card_exp_month, card_exp_year FROM public.payment_methods WHERE customer_id = $1 AND is_default', [cust]);
        if (rng.chance(0.2)) ex('SELECT code, percent_off FROM public.coupons WHERE code = $1 AND valid_until > now()', [rng.pick(['WINTER25', 'NEWYEAR26', 'WELCOME10', 'XMAS'])]);
        st('BEGIN');
        const items = rng.int(1, 3);
        const order = String(rng.int(412_000, 430_000));
        ex('INSERT INTO public.orders (customer_id, status, total_cents, currency) VALUES ($1, $2, $3, $4) RETURNING id', [cust, 'pending', String(rng.int(900, 24_000)), 'EUR']);
        for (let i = 0; i < items; i++) {
          const product = String(rng.int(1, 640));
          const qty = String(rng.int(1, 3));
          ex('INSERT INTO public.order_items (order_id, product_id, quantity, unit_price_cents) VALUES ($1, $2, $3, $4)', [order, product, qty, String(rng.int(450, 8_900))]);
          ex('UPDATE public.inventory SET quantity = quantity - $1, updated_at = now() WHERE product_id = $2 AND quantity >= $1', [qty, product]);
        }
        st('COMMIT');
        // The payment provider is called, then the order is marked paid.
        const pay = u + rng.int(150, 900) * 1000;
        E.conn({ start: pay, dur: rng.int(180, 1_400) * 1000, src: host.privateIp, sport: ephemeralPort(rng), dst: rng.pick(this.psp), dport: 443, proto: 'tcp', origPkts: rng.int(9, 14), origIpBytes: rng.int(2_400, 3_900), respPkts: rng.int(8, 12), respIpBytes: rng.int(5_200, 7_800), service: 'ssl', history: 'ShADadFf', state: 'SF' }, rng);
        u = pay + rng.int(1_500, 2_500) * 1000;
        ex('UPDATE public.orders SET status = $1, updated_at = now() WHERE id = $2', ['paid', order]);
        break;
      }
      case 'signup': {
        const email = this.email();
        const sql = 'INSERT INTO public.customers (email, full_name, password_hash) VALUES ($1, $2, $3) RETURNING id';
        const params = [email, this.name(email), `$2b$12$${rng.alnum(53)}`];
        ex(sql, params);
        if (rng.chance(0.12)) {
          pgError(this.pg, b.session, u, 'duplicate key value violates unique constraint "customers_email_key"', `Key (email)=(${email}) already exists.`, sql);
          u += rng.int(200, 900);
        }
        break;
      }
    }
    // Network: the ALB's request, the pool's traffic.
    E.conn({ start: t, dur: u - t + rng.int(2_000, 30_000), src: rng.pick(ALB_IPS), sport: ephemeralPort(rng), dst: host.privateIp, dport: APP_PORT, proto: 'tcp', origPkts: rng.int(5, 9), origIpBytes: rng.int(900, 2_200), respPkts: rng.int(5, 40), respIpBytes: rng.int(2_000, 52_000) }, rng);
    this.note(b.windows, t, u, stmts);
    for (let i = rng.weighted([[0, 3], [1, 4], [2, 2], [3, 1]] as const); i > 0; i--) this.asset(inst, u + rng.int(1, 300) * 1000);
    // Product analytics: an HTTPS call to an external collector.
    if (rng.chance(0.3)) {
      const at = u + rng.int(5, 900) * 1000;
      E.conn({ start: at, dur: rng.int(40, 400) * 1000, src: host.privateIp, sport: ephemeralPort(rng), dst: rng.pick(this.analytics), dport: 443, proto: 'tcp', origPkts: rng.int(7, 12), origIpBytes: rng.int(1_900, 4_800), respPkts: rng.int(5, 9), respIpBytes: rng.int(900, 2_400), service: 'ssl', history: 'ShADadFf', state: 'SF' }, rng);
    }
  }

  /** A request the app answers from its cache: only the ALB's connection (and maybe an asset read). */
  private cached(inst: Instance, t: number): void {
    const { rng, E } = this.bg;
    const dur = rng.int(3_000, 90_000);
    E.conn({ start: t, dur, src: rng.pick(ALB_IPS), sport: ephemeralPort(rng), dst: HOSTS[inst.host].privateIp, dport: APP_PORT, proto: 'tcp', origPkts: rng.int(4, 8), origIpBytes: rng.int(700, 1_900), respPkts: rng.int(4, 30), respIpBytes: rng.int(1_200, 38_000) }, rng);
    if (rng.chance(0.5)) this.asset(inst, t + dur + rng.int(1, 200) * 1000);
  }

  private asset(inst: Instance, t: number): void {
    const { rng, E } = this.bg;
    const put = rng.chance(0.06);
    const key = put ? `uploads/avatars/${rng.hex(2)}/${rng.hex(24)}.webp` : rng.chance(0.7) ? `catalog/images/${rng.int(1, 640)}/${rng.hex(16)}.webp` : `invoices/2025/12/INV-${rng.int(400_000, 430_000)}.pdf`;
    const bytes = put ? rng.int(12_000, 240_000) : rng.int(8_000, 420_000);
    E.ct(t, REGION, s3DataEvent(rng, {
      t, identity: assumedRole(inst.creds), ip: HOSTS[inst.host].privateIp, ua: UA.appSdk, name: put ? 'PutObject' : 'GetObject', bucket: BUCKETS.assets, key,
      bytesOut: put ? 0 : bytes, bytesIn: put ? bytes : 0, vpce: S3_VPC_ENDPOINT,
    }));
    this.note(inst.s3, t, t + rng.int(30, 300) * 1000, bytes);
  }

  private note(m: Map<number, [number, number, number]>, from: number, to: number, amount: number): void {
    const w = Math.floor(from / WINDOW_US);
    const cur = m.get(w);
    if (cur) {
      cur[1] = Math.max(cur[1], to);
      cur[2] += amount;
    } else m.set(w, [from, to, amount]);
  }

  /** Pool traffic per aggregation window (web ↔ db, recorded on both ENIs). */
  private flushBackend(inst: Instance, b: Backend): void {
    const { rng, E } = this.bg;
    for (const [, [from, to, n]] of b.windows) {
      E.conn({ start: from, dur: Math.max(to - from, 1_000), src: HOSTS[inst.host].privateIp, sport: b.port, dst: HOSTS['db-01'].privateIp, dport: 5432, proto: 'tcp', origPkts: n * 2, origIpBytes: n * rng.int(320, 520), respPkts: n * 2, respIpBytes: n * rng.int(600, 2_400) }, rng);
    }
    b.windows.clear();
  }

  /** S3 traffic through the gateway endpoint (public S3 addresses, so the sensor sees it). */
  private flushS3(inst: Instance): void {
    const { rng, E } = this.bg;
    for (const [, [from, to, bytes]] of inst.s3) {
      const pk = Math.ceil(bytes / 1_400) + 6;
      E.conn({ start: from, dur: Math.max(to - from, 50_000), src: HOSTS[inst.host].privateIp, sport: ephemeralPort(rng), dst: rng.pick(S3_IPS), dport: 443, proto: 'tcp', origPkts: Math.ceil(pk / 3) + 4, origIpBytes: (Math.ceil(pk / 3) + 4) * 52 + 1_800, respPkts: pk, respIpBytes: bytes + pk * 52, service: 'ssl', history: 'ShADadFf', state: 'SF' }, rng);
    }
    inst.s3.clear();
  }

  private email(): string {
    const { rng } = this.bg;
    return `${rng.pick(FIRST)}.${rng.pick(LAST)}${rng.chance(0.3) ? rng.int(1, 99) : ''}@${rng.pick(DOMAINS)}`;
  }

  private name(email: string): string {
    const [f, l] = email.split('@')[0]!.replace(/\d+$/, '').split('.');
    const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
    return `${cap(f!)} ${cap(l!)}`;
  }
}
