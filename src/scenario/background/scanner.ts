/**
 * The authorised vulnerability scanner (192.0.2.200): every night at 03:00 local it sweeps the
 * bastion's top 100 TCP ports, grabs the SSH banner and sends an HTTP probe to sshd; on Saturdays
 * the full 1-1024 range. It looks like the attacker's recon and must not be reported.
 */
import { HOSTS, VULN_SCANNER, WINDOW } from '../estate.js';
import { sshBadProtocol, sshNoIdent, type Ctx } from '../hostlog.js';
import { localHour, SEC } from '../time.js';
import type { Actor, Bg } from './common.js';

const TOP100 = [7, 9, 13, 21, 22, 23, 25, 26, 37, 53, 79, 80, 81, 88, 106, 110, 111, 113, 119, 135, 139, 143, 144, 179, 199, 389, 427, 443, 444, 445, 465, 513, 514, 515, 543, 544, 548, 554, 587, 631, 646, 873, 990, 993, 995, 1025, 1026, 1027, 1028, 1029, 1110, 1433, 1720, 1723, 1755, 1900, 2000, 2001, 2049, 2121, 2717, 3000, 3128, 3306, 3389, 3986, 4899, 5000, 5009, 5051, 5060, 5101, 5190, 5357, 5432, 5631, 5666, 5800, 5900, 6000, 6001, 6646, 7070, 8000, 8008, 8009, 8080, 8081, 8443, 8888, 9100, 9999, 10000, 32768, 49152, 49153, 49154, 49155, 49156, 49157];

export class Scanner implements Actor {
  constructor(private readonly bg: Bg) {}

  hour(h0: number): void {
    const { hour, weekday } = localHour(h0);
    if (hour !== 3 || h0 < WINDOW.authStart) return;
    const { E, rng } = this.bg;
    const c: Ctx = { E, rng };
    const bastion = HOSTS['bastion-01'].privateIp;
    const ports = weekday === 6 ? Array.from({ length: 1024 }, (_, i) => i + 1) : TOP100;
    let t = h0 + rng.int(0, 90) * SEC;
    const sport = rng.int(30000, 60000);
    for (const port of ports) {
      if (port === 22) {
        E.conn({ start: t, dur: rng.int(2_000, 30_000), src: VULN_SCANNER, sport, dst: bastion, dport: 22, proto: 'tcp', origPkts: 2, origIpBytes: 84, respPkts: 1, respIpBytes: 44, service: null, history: 'ShR', state: 'RSTO' }, rng);
      } else {
        E.conn({ start: t, dur: rng.int(900_000, 1_200_000), src: VULN_SCANNER, sport, dst: bastion, dport: port, proto: 'tcp', origPkts: 2, origIpBytes: 88, respPkts: 0, respIpBytes: 0, action: 'REJECT' }, rng);
      }
      t += rng.int(40_000, 160_000);
    }
    t += 20 * SEC;
    sshNoIdent(c, 'bastion-01', VULN_SCANNER, t);
    sshBadProtocol(c, 'bastion-01', VULN_SCANNER, t + rng.int(15, 30) * SEC, 'GET / HTTP/1.1');
  }
}
