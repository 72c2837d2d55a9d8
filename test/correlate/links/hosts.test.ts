/**
 * Hosts and their addresses learned from the evidence, and the link that needs them: an estate
 * whose web server is named only in its own logs (no record gives its address) still leads from
 * the compromised server to the database sessions it opened — through the flow that carried the
 * attacker's login.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createCaseView } from '../../../src/correlate/case-view.js';
import { HostDirectory } from '../../../src/correlate/hosts/directory.js';
import { learnHosts } from '../../../src/correlate/hosts/learn.js';
import { entityKeys, expandFrom } from '../../helpers/link-case.js';
import { MiniCase, type MiniEvent } from '../../helpers/mini-case.js';

let mini: MiniCase;
afterEach(() => mini?.close());

const login = (ts: string, host: string, user: string, ip: string, port: number, session: string): MiniEvent => ({ ts, class: 'authentication', action: 'ssh_login', outcome: 'success', host, actor: user, src_ip: ip, src_port: port, session });
const flow = (ts: string, src: string, sport: number, dst: string, dport: number, extra: Partial<MiniEvent> = {}): MiniEvent => ({ ts, class: 'network_activity', action: 'flow', outcome: 'success', src_ip: src, src_port: sport, dst_ip: dst, dst_port: dport, bytes_out: 2000, ...extra });
const db = (ts: string, action: string, session: string, app: string, extra: Partial<MiniEvent> = {}): MiniEvent => ({
  ts, class: action === 'db_query' ? 'datastore_activity' : 'authentication', action, outcome: 'success', actor: 'shop', src_ip: '10.1.2.3', session, ...extra,
  attrs: { application_name: app, ...(extra.attrs ?? {}) },
});

/**
 * web-07 logs the attacker's login, but no flow of that connection was captured; the only record
 * giving the server's address is the flow of an administrator's login the day before (sshd on 2222).
 */
async function estate(withFlow: boolean): Promise<MiniCase> {
  const m = await MiniCase.create();
  await m.file('auth_log', 'ev/web-07/var/log/auth.log', [
    login('2026-03-04T08:00:00Z', 'web-07', 'ops', '10.8.0.5', 60000, 'sshd[600]'),
    { ts: '2026-03-04T08:05:00Z', class: 'authentication', action: 'ssh_session_closed', outcome: 'success', host: 'web-07', actor: 'ops', session: 'sshd[600]' },
    login('2026-03-05T10:00:00Z', 'web-07', 'app', '198.51.100.50', 51000, 'sshd[700]'),
    { ts: '2026-03-05T10:30:00Z', class: 'authentication', action: 'ssh_session_closed', outcome: 'success', host: 'web-07', actor: 'app', session: 'sshd[700]' },
  ]);
  await m.file('auth_log', 'ev/db-x/var/log/auth.log', [{ ts: '2026-03-01T00:00:00Z', class: 'authentication', action: 'cron_session_opened', outcome: 'success', host: 'db-x', actor: 'root', target: 'root' }]);
  if (withFlow) await m.file('zeek', 'sensor/conn.log', [flow('2026-03-04T07:59:59Z', '10.8.0.5', 60000, '10.1.2.3', 2222)]);
  const routine = ['01', '02', '03', '04'].flatMap((d, i) => [db(`2026-03-${d}T09:00:00Z`, 'db_connect', `b${i}`, 'shop-api'), db(`2026-03-${d}T09:00:01Z`, 'db_query', `b${i}`, 'shop-api', { command: 'SELECT 1' }), db(`2026-03-${d}T09:00:02Z`, 'db_disconnect', `b${i}`, 'shop-api')]);
  await m.file('postgres_log', 'ev/db-x/var/log/postgresql/postgresql.log', [
    ...routine,
    db('2026-03-05T10:10:00Z', 'db_connect', 's9', 'psql', { src_port: 40000 }),
    db('2026-03-05T10:10:05Z', 'db_query', 's9', 'psql', { command: 'SELECT relname FROM pg_class', attrs: { sql: { catalog_recon: true, tables_read: ['pg_catalog.pg_class'] } } }),
    db('2026-03-05T10:11:00Z', 'db_query', 's9', 'psql', { command: 'CREATE ROLE backup2 LOGIN', attrs: { sql: { privilege_change: true } } }),
    db('2026-03-05T10:12:00Z', 'db_disconnect', 's9', 'psql'),
    db('2026-03-05T10:15:00Z', 'db_connect', 'b9', 'shop-api'),
    db('2026-03-05T10:15:01Z', 'db_query', 'b9', 'shop-api', { command: 'SELECT 1' }),
  ]);
  return m;
}

describe('a host whose address is learned from the evidence', () => {
  it('leads from the compromised web server to the database sessions it opened, and its routine ones stay the application’s', async () => {
    mini = await estate(true);
    const x = await expandFrom(mini, [{ kind: 'ip', value: '198.51.100.50', host: null }]);
    const keys = entityKeys(x.fp);
    expect(keys).toContain('host web-07');
    expect(keys).toContain('db_role shop@db-x');
    expect(keys).toContain('db_role backup2@db-x');
    expect(keys).toContain('host db-x');
    const hosts = await mini.rows<{ host: string; address: string; how: string }>(`SELECT host, address, how FROM hosts WHERE address IS NOT NULL ORDER BY host`);
    expect(hosts).toContainEqual({ host: 'web-07', address: '10.1.2.3', how: 'inbound_flow' });
    const statements = await mini.rows<{ session: string }>(`SELECT DISTINCT session FROM events WHERE event_id IN (${[...x.fp.events.keys()].join(',')}) AND session IS NOT NULL ORDER BY 1`);
    expect(statements.map((s) => s.session)).toEqual(['s9', 'sshd[700]']);
    expect(x.fp.hosts.addressesOf('web-07')).toEqual([{ ip: '10.1.2.3', how: 'inbound_flow', reason: expect.stringContaining('ssh_login from 10.8.0.5:60000') }]);
  });

  it('without that flow the server has no address, and nothing links it to the database', async () => {
    mini = await estate(false);
    const x = await expandFrom(mini, [{ kind: 'ip', value: '198.51.100.50', host: null }]);
    expect(entityKeys(x.fp).filter((k) => k.startsWith('db_role'))).toEqual([]);
  });
});

describe('learning hosts', () => {
  async function learned(m: MiniCase) {
    await createCaseView(m.conn);
    await learnHosts(m.conn);
    return HostDirectory.load(m.conn);
  }

  it("from a host's own log, a VPC interface's records, an EC2 response, a DHCP lease and a DNS answer", async () => {
    mini = await MiniCase.create();
    await mini.file('auth_log', 'h/auth.log', [{ ts: '2026-03-05T10:00:00Z', class: 'network_activity', action: 'ssh_connection', outcome: 'unknown', host: 'app-3', src_ip: '203.0.113.9', src_port: 4000, dst_ip: '10.4.0.9', dst_port: 22 }]);
    await mini.file('vpc_flow', 'flows.log', Array.from({ length: 12 }, (_, i) => flow(`2026-03-05T10:${String(i).padStart(2, '0')}:00Z`, i % 2 ? '10.4.0.7' : '192.0.2.1', 3000 + i, i % 2 ? '192.0.2.1' : '10.4.0.7', 443, { host: 'eni-0bbb' })));
    await mini.file('cloudtrail', 'ct.json', [{ ts: '2026-03-05T09:00:00Z', class: 'api_activity', action: 'ec2.amazonaws.com:RunInstances', outcome: 'success', attrs: { response_elements: { instancesSet: { items: [{ instanceId: 'i-0ccc', privateIpAddress: '10.4.0.7', networkInterfaceSet: { items: [{ networkInterfaceId: 'eni-0bbb', privateIpAddress: '10.4.0.7' }] }, tagSet: { items: [{ key: 'Name', value: 'worker-2' }] } }] } } } }]);
    await mini.file('zeek', 'dhcp.log', [{ ts: '2026-03-05T08:00:00Z', class: 'network_activity', action: 'zeek_dhcp', attrs: { host_name: 'laptop-5', assigned_addr: '10.4.1.50' } }]);
    await mini.file('zeek', 'dns.log', [{ ts: '2026-03-05T08:00:00Z', class: 'network_activity', action: 'dns_query', attrs: { query: 'FILES.corp.example', qtype_name: 'A', answers: ['10.4.0.20', '203.0.113.80'] } }]);
    const d = await learned(mini);
    expect(d.hostOf('10.4.0.9')).toBe('app-3');
    expect(d.hostOf('10.4.0.7')).toBe('worker-2');
    expect(d.aliasesOf('worker-2').map((a) => a.alias)).toEqual(['eni-0bbb', 'i-0ccc']);
    expect(d.hostOf('10.4.1.50')).toBe('laptop-5');
    expect(d.hostOf('10.4.0.20')).toBe('files.corp.example');
    expect(d.hostOf('203.0.113.80')).toBeNull(); // a public answer names no host of the estate
    const rows = await mini.rows<{ how: string }>(`SELECT DISTINCT how FROM hosts ORDER BY how`);
    expect(rows.map((r) => r.how)).toEqual(['cloud_instance', 'cloud_name_tag', 'dhcp', 'dns', 'flow_interface', 'own_log', 'self_named']);
  });

  it('marks an address two machines claim at the same time as ambiguous (a NAT, a load balancer) and does not follow it', async () => {
    mini = await MiniCase.create();
    await mini.file('auth_log', 'a/auth.log', [login('2026-03-05T10:00:00Z', 'web-a', 'u', '203.0.113.5', 5000, 'sshd[1]'), login('2026-03-05T12:00:00Z', 'web-a', 'u', '203.0.113.5', 5002, 'sshd[2]')]);
    await mini.file('auth_log', 'b/auth.log', [login('2026-03-05T11:00:00Z', 'web-b', 'u', '203.0.113.5', 5001, 'sshd[3]')]);
    await mini.file('zeek', 'conn.log', [flow('2026-03-05T10:00:00Z', '203.0.113.5', 5000, '10.9.9.9', 22), flow('2026-03-05T11:00:00Z', '203.0.113.5', 5001, '10.9.9.9', 22), flow('2026-03-05T12:00:00Z', '203.0.113.5', 5002, '10.9.9.9', 22)]);
    const d = await learned(mini);
    expect(d.hostOf('10.9.9.9')).toBeNull();
    expect(d.addressesOf('web-a')).toEqual([]);
    const amb = await mini.rows<{ host: string; ambiguous: boolean }>(`SELECT host, ambiguous FROM hosts WHERE address = '10.9.9.9' ORDER BY host`);
    expect(amb).toEqual([{ host: 'web-a', ambiguous: true }, { host: 'web-b', ambiguous: true }]);
  });

  it('takes a name and its fully qualified form for one machine', async () => {
    mini = await MiniCase.create();
    await mini.file('auth_log', 'a/auth.log', [{ ts: '2026-03-05T10:00:00Z', class: 'network_activity', action: 'ssh_connection', outcome: 'unknown', host: 'web-a', src_ip: '203.0.113.9', src_port: 4000, dst_ip: '10.4.0.9', dst_port: 22 }]);
    await mini.file('zeek', 'dns.log', [{ ts: '2026-03-05T10:00:00Z', class: 'network_activity', action: 'dns_query', attrs: { query: 'web-a.corp.example', qtype_name: 'A', answers: ['10.4.0.9'] } }]);
    const d = await learned(mini);
    expect(d.hostOf('10.4.0.9')).toBe('web-a');
  });
});
