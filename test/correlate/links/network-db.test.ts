/** Host links on events written for them: egress, internal sweeps, database sessions from a compromised host. */
import { afterEach, describe, expect, it } from 'vitest';
import type { EventRow } from '../../../src/correlate/classify.js';
import { dbSessionLink } from '../../../src/correlate/links/db-session.js';
import { HOST_LINKS, ROUND_LINKS } from '../../../src/correlate/links/index.js';
import { egressLink, sweepWindows } from '../../../src/correlate/links/network.js';
import { entityKeys, linkContext } from '../../helpers/link-case.js';
import { MiniCase, type MiniEvent, us } from '../../helpers/mini-case.js';

let mini: MiniCase;
afterEach(() => mini?.close());

const H = '10.2.0.5';
const out = (ts: string, dst: string, bytes: number, label: string, extra: Partial<MiniEvent> = {}): MiniEvent => ({ ts, class: 'network_activity', action: 'flow', outcome: 'success', src_ip: H, src_port: 44000, dst_ip: dst, dst_port: 443, bytes_out: bytes, attrs: { label }, ...extra });
/** h-5 names its address in its own log (sshd: "Connection from … on 10.2.0.5 port 22"). */
const ownLog: MiniEvent = { ts: '2026-07-01T00:00:00Z', class: 'network_activity', action: 'ssh_connection', outcome: 'unknown', host: 'h-5', src_ip: '192.0.2.1', src_port: 1, dst_ip: H, dst_port: 22 };
const scope = (ctx: Awaited<ReturnType<typeof linkContext>>, from: string, to: string) => {
  ctx.fp.add('host', 'h-5', null, 'compromised', 'test');
  ctx.addWindow('h-5', us(from), us(to));
};

describe('egress link', () => {
  it('takes large transfers to external addresses the host never sent to before, within the attacker’s time on it', async () => {
    mini = await MiniCase.create();
    await mini.file('auth_log', 'h-5/auth.log', [ownLog]);
    await mini.file('zeek', 'conn.log', [
      out('2026-07-01T08:00:00Z', '198.51.100.1', 5_000_000, 'backup-before'),
      out('2026-07-02T03:10:00Z', '198.51.100.1', 5_000_000, 'backup-during'),
      out('2026-07-02T03:20:00Z', '203.0.113.44', 3_000_000, 'exfil'),
      out('2026-07-02T03:25:00Z', '203.0.113.45', 500_000, 'small'),
      out('2026-07-02T09:00:00Z', '203.0.113.46', 9_000_000, 'after-window'),
    ]);
    const ctx = await linkContext(mini);
    scope(ctx, '2026-07-02T03:00:00Z', '2026-07-02T04:00:00Z');
    await ROUND_LINKS.find((l) => l.name === 'host_activity')!.run(ctx);
    expect(['backup-before', 'backup-during', 'exfil', 'small', 'after-window'].filter((l) => ctx.fp.events.has(mini.id(l)))).toEqual(['exfil']);
    expect(ctx.fp.events.get(mini.id('exfil'))!.phase).toBe('exfiltration');
    expect([...ctx.fp.get('ip', '203.0.113.44')!.roles]).toEqual(['exfil_destination']);
    expect(HOST_LINKS).toContain(egressLink);
  });
});

describe('egress link: what was carried out, not every byte to the address', () => {
  const A = '203.0.113.77';
  const at = (m: number) => new Date(Date.parse('2026-07-02T03:00:00Z') + m * 60e3).toISOString();
  // The attacker's interactive sessions into h-5, as a flow log writing each direction apart: the
  // shell's output (the replies from port 22) adds up to 1.2 MB over six sessions.
  const sessions = (): MiniEvent[] =>
    [0, 1, 2, 3, 4, 5].flatMap((i) => [
      { ts: at(i * 5), class: 'network_activity', action: 'flow', outcome: 'success', src_ip: A, src_port: 50000 + i, dst_ip: H, dst_port: 22, bytes_out: 40_000, bytes_in: null, attrs: { label: `ssh-in${i}` } },
      { ts: at(i * 5), class: 'network_activity', action: 'flow', outcome: 'success', src_ip: H, src_port: 22, dst_ip: A, dst_port: 50000 + i, bytes_out: 200_000, bytes_in: null, attrs: { label: `ssh-out${i}` } },
    ]);
  // A cron job on h-5 asking the attacker's server for its next script: small requests, bigger answers.
  const beacons = (): MiniEvent[] => [0, 1, 2, 3].map((i) => out(at(2 + i * 10), A, 148, `beacon${i}`, { src_port: 41000 + i, dst_port: 80, bytes_in: 412 }));
  const run = async (events: { vpc: MiniEvent[]; zeek: MiniEvent[] }) => {
    mini = await MiniCase.create();
    await mini.file('auth_log', 'h-5/auth.log', [ownLog]);
    await mini.file('vpc_flow', 'vpc/flows.log', events.vpc);
    await mini.file('zeek', 'conn.log', events.zeek);
    const ctx = await linkContext(mini);
    scope(ctx, at(0), at(60));
    ctx.noteAccess(us(at(0)));
    await egressLink.run(ctx, { host: 'h-5', ips: [H], windows: ctx.hostWindows.get('h-5')!, ipList: `'${H}'`, within: 'true' });
    return ctx;
  };

  it('does not sum a shell’s output and a beacon’s requests into exfiltration', async () => {
    const ctx = await run({ vpc: sessions(), zeek: beacons() });
    expect(ctx.fp.get('ip', A)).toBeUndefined();
    expect([...ctx.fp.events.values()].filter((e) => e.phase === 'exfiltration')).toEqual([]);
  });

  it('tags the upload as exfiltration and the beacon requests and sessions by what they are', async () => {
    const ctx = await run({ vpc: sessions(), zeek: [...beacons(), out(at(40), A, 3_000_000, 'upload', { src_port: 42000, dst_port: 8080, bytes_in: 9_000 })] });
    expect([...ctx.fp.get('ip', A)!.roles]).toEqual(['exfil_destination']);
    const phase = (label: string) => ctx.fp.events.get(mini.id(label))?.phase;
    expect(phase('upload')).toBe('exfiltration');
    expect([0, 1, 2, 3].map((i) => phase(`beacon${i}`))).toEqual(['actions', 'actions', 'actions', 'actions']);
    expect([phase('ssh-in0'), phase('ssh-out0')]).toEqual(['access', 'access']);
  });
});

describe('sweep link', () => {
  const row = (i: number, tsS: number, dst: string, port: number): EventRow =>
    ({ event_id: i, ts_us: tsS * 1e6, src_ip: H, dst_ip: dst, dst_port: port } as EventRow);

  it('finds windows with enough distinct internal targets, once each, and nothing in sparse traffic', () => {
    const sweep = Array.from({ length: 12 }, (_, i) => row(i, 1000 + i * 5, `10.2.0.${20 + i}`, 22));
    const sparse = Array.from({ length: 30 }, (_, i) => row(100 + i, 10_000 + i * 700, `10.2.0.${i % 3}`, 443));
    const again = Array.from({ length: 15 }, (_, i) => row(200 + i, 50_000 + i, '10.2.1.9', 1000 + i));
    const w = sweepWindows([...sweep, ...sparse, ...again], 600e6, 10);
    expect(w.map((x) => [x[0]!.event_id, x.length])).toEqual([[0, 12], [200, 15]]);
  });

  it('repeating the same target does not make a sweep', () => {
    expect(sweepWindows(Array.from({ length: 50 }, (_, i) => row(i, i, '10.2.0.9', 22)), 600e6, 10)).toEqual([]);
  });
});

describe('database session link', () => {
  const q = (ts: string, command: string, label: string, sql: object, action = 'db_query'): MiniEvent => ({ ts, class: 'datastore_activity', action, outcome: 'success', actor: 'app', src_ip: H, session: 'p1', command, attrs: { label, application_name: 'psql', sql } });

  it('takes an unusual session from the host, and a role created in it only when the statement did not fail', async () => {
    mini = await MiniCase.create();
    await mini.file('auth_log', 'h-5/auth.log', [ownLog]);
    await mini.file('postgres_log', 'pg/postgresql.log', [
      { ts: '2026-07-02T03:30:00Z', class: 'authentication', action: 'db_connect', outcome: 'success', actor: 'app', src_ip: H, session: 'p1', host: 'pg-1', attrs: { application_name: 'psql', label: 'connect' } },
      { ...q('2026-07-02T03:31:00Z', 'CREATE ROLE ghost LOGIN', 'create-failed', { privilege_change: true }), host: 'pg-1' },
      { ...q('2026-07-02T03:31:01Z', 'CREATE ROLE ghost LOGIN', 'error', {}, 'db_error'), host: 'pg-1' },
      { ...q('2026-07-02T03:32:00Z', 'CREATE ROLE shade LOGIN', 'create-ok', { privilege_change: true }), host: 'pg-1' },
    ]);
    const ctx = await linkContext(mini);
    scope(ctx, '2026-07-02T03:00:00Z', '2026-07-02T04:00:00Z');
    await dbSessionLink.run(ctx, { host: 'h-5', ips: [H], windows: ctx.hostWindows.get('h-5')!, ipList: `SELECT '${H}' AS ip`, within: 'true' });
    expect(entityKeys(ctx.fp)).toEqual(['db_role app@pg-1', 'db_role shade@pg-1', 'host h-5', 'host pg-1']);
    expect([...ctx.failedStatements]).toEqual([mini.id('create-failed')]);
  });
  it('follows a session until it disconnects (a reused backend id is another connection), and leaves a usual one', async () => {
    mini = await MiniCase.create();
    await mini.file('auth_log', 'h-5/auth.log', [ownLog]);
    const ev = (ts: string, action: string, session: string, label: string, extra: Partial<MiniEvent> = {}): MiniEvent => ({ ts, class: 'datastore_activity', action, outcome: 'success', actor: 'app', src_ip: H, session, host: 'pg-1', attrs: { label, application_name: 'psql' }, ...extra });
    await mini.file('postgres_log', 'pg/postgresql.log', [
      { ...ev('2026-06-01T10:00:00Z', 'db_connect', 'old', 'baseline'), class: 'authentication' },
      { ...ev('2026-07-02T03:30:00Z', 'db_connect', 'p2', 'usual-connect'), class: 'authentication' },
      ev('2026-07-02T03:31:00Z', 'db_query', 'p2', 'usual-select', { command: 'SELECT 1' }),
      ev('2026-07-02T03:32:00Z', 'db_disconnect', 'p2', 'usual-end'),
      // The backend id again, hours later, from another client: not the session above.
      ev('2026-07-02T05:00:00Z', 'db_query', 'p2', 'reused', { src_ip: '10.9.9.9', command: 'SELECT * FROM pg_roles', attrs: { label: 'reused', application_name: 'psql', sql: { catalog_recon: true } } }),
      { ...ev('2026-07-02T03:40:00Z', 'db_connect', 'p3', 'odd-connect'), class: 'authentication' },
      ev('2026-07-02T03:41:00Z', 'db_query', 'p3', 'odd-recon', { command: 'SELECT * FROM pg_roles', attrs: { label: 'odd-recon', application_name: 'psql', sql: { catalog_recon: true } } }),
    ]);
    const ctx = await linkContext(mini);
    scope(ctx, '2026-07-02T03:00:00Z', '2026-07-02T04:00:00Z');
    const within = `ts BETWEEN TIMESTAMP '2026-07-02 03:00:00' AND TIMESTAMP '2026-07-02 04:00:00'`;
    await dbSessionLink.run(ctx, { host: 'h-5', ips: [H], windows: ctx.hostWindows.get('h-5')!, ipList: `SELECT '${H}' AS ip`, within });
    expect(entityKeys(ctx.fp)).toEqual(['db_role app@pg-1', 'host h-5', 'host pg-1']);
    expect([...ctx.fp.events.keys()].sort((a, b) => a - b)).toEqual([mini.id('odd-connect'), mini.id('odd-recon')].sort((a, b) => a - b));
  });
});
