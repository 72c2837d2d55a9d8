/** What flow records say was carried out (src/correlate/transfers.ts): uploads and pulls, not requests nor a shell's output. */
import { describe, expect, it } from 'vitest';
import type { EventRow } from '../../src/correlate/classify.js';
import { isPrivateIp } from '../../src/correlate/knowledge.js';
import { transferBytes, transfersOut } from '../../src/correlate/transfers.js';

let n = 0;
const f = (source: string, src: string, sport: number, dst: string, dport: number, out: number, inb: number | null = null): EventRow =>
  ({ event_id: ++n, ts_us: n * 1e6, source, action: 'flow', src_ip: src, src_port: sport, dst_ip: dst, dst_port: dport, bytes_out: out, bytes_in: inb }) as EventRow;
const H = '10.0.0.10';
const A = '203.0.113.77';
const bytes = (rows: EventRow[]) => Object.fromEntries(transfersOut(rows, isPrivateIp).map((t) => [t.dst_ip, transferBytes(t)]));

describe('transfersOut', () => {
  it('counts an upload the host opened, not the requests of a beacon (one record per connection, or one per direction)', () => {
    const beacons = [0, 1, 2].flatMap((i) => [f('zeek', H, 40000 + i, A, 80, 148, 412), f('vpc', H, 40000 + i, A, 80, 460), f('vpc', A, 80, H, 40000 + i, 672)]);
    expect(bytes(beacons)).toEqual({});
    const upload = [f('zeek', H, 41000, A, 8443, 3_000_000, 9000), f('vpc', H, 41000, A, 8443, 3_100_000), f('vpc', A, 8443, H, 41000, 9500)];
    const t = transfersOut([...beacons, ...upload], isPrivateIp);
    expect(t.map((x) => [x.dst_ip, Object.fromEntries(x.bySource), transferBytes(x)])).toEqual([[A, { zeek: 3_000_000, vpc: 3_100_000 }, 3_100_000]]);
    expect(t[0]!.events.map((e) => e.bytes_out)).toEqual([3_000_000, 3_100_000]);
  });

  it('does not sum the replies of sessions the outside opened; one connection that takes a lot is a pull', () => {
    const shells = [0, 1, 2, 3, 4, 5].flatMap((i) => [f('vpc', A, 50000 + i, H, 22, 40_000), f('vpc', H, 22, A, 50000 + i, 300_000)]);
    expect(bytes(shells)).toEqual({});
    expect(bytes([...shells, f('zeek', A, 51000, H, 22, 30_000, 2_500_000)])).toEqual({ [A]: 2_500_000 });
  });
});
