/**
 * Hosts' auth logs with weekly rotation: bastion-01 and web-01 write Debian/Ubuntu
 * /var/log/auth.log in traditional syslog (no year, local time), rotated to auth.log.1 and
 * auth.log.2.gz (delaycompress); db-01 writes RHEL /var/log/secure in rsyslog's RFC 3339 format,
 * rotated with dateext (secure-20251228).
 */
import { HOSTS, ROTATION, WINDOW, type HostName } from '../estate.js';
import type { AuthItem } from '../model.js';
import { localYmd, rfc3339Local, syslogTime } from '../time.js';
import { type FileRegistry, OutFile } from './out-file.js';

interface Segment {
  from: number;
  to: number;
  rel: string;
  gzip: boolean;
}

function segments(host: HostName): Segment[] {
  if (HOSTS[host].os === 'rhel9') {
    const [r] = ROTATION.rhel;
    return [
      { from: WINDOW.secureStart, to: r!, rel: `${host}/var/log/secure-${localYmd(r!)}`, gzip: false },
      { from: r!, to: WINDOW.end, rel: `${host}/var/log/secure`, gzip: false },
    ];
  }
  const [r1, r2] = ROTATION.debian;
  return [
    { from: WINDOW.authStart, to: r1!, rel: `${host}/var/log/auth.log.2.gz`, gzip: true },
    { from: r1!, to: r2!, rel: `${host}/var/log/auth.log.1`, gzip: false },
    { from: r2!, to: WINDOW.end, rel: `${host}/var/log/auth.log`, gzip: false },
  ];
}

/** Hosts whose auth logs were collected. */
export const AUTH_HOSTS: HostName[] = ['bastion-01', 'web-01', 'db-01'];

class HostLog {
  private readonly segs: Segment[];
  private idx = -1;
  private file: OutFile | null = null;
  private readonly iso: boolean;
  count = 0;

  constructor(private readonly root: string, private readonly host: HostName, private readonly registry: FileRegistry) {
    this.segs = segments(host);
    this.iso = HOSTS[host].os === 'rhel9';
  }

  async write(it: AuthItem): Promise<void> {
    const i = this.segs.findIndex((s) => it.t >= s.from && it.t < s.to);
    if (i < 0) return;
    while (this.idx < i) {
      if (this.file) await this.file.close();
      this.idx++;
      this.file = new OutFile(this.root, this.segs[this.idx]!.rel, this.segs[this.idx]!.gzip, this.registry);
    }
    const stamp = this.iso ? rfc3339Local(it.t) : syslogTime(it.t);
    const line = this.file!.line(`${stamp} ${this.host} ${it.program}${it.pid === null ? '' : `[${it.pid}]`}: ${it.msg}`);
    this.file!.mtime = it.t;
    this.count++;
    if (it.tag) {
      it.tag.evidence = { file: this.file!.rel, line };
      it.tag.source = 'auth_log';
      it.tag.host = this.host;
    }
  }

  async drain(): Promise<void> {
    if (this.file) await this.file.drain();
  }

  async close(): Promise<void> {
    // Files of later segments with no line at all still exist on the host (empty after rotation).
    while (this.idx < this.segs.length - 1) {
      if (this.file) await this.file.close();
      this.idx++;
      this.file = new OutFile(this.root, this.segs[this.idx]!.rel, this.segs[this.idx]!.gzip, this.registry);
      this.file.mtime = this.segs[this.idx]!.from;
    }
    if (this.file) await this.file.close();
  }
}

export class AuthWriter {
  private readonly logs = new Map<HostName, HostLog>();

  constructor(root: string, registry: FileRegistry) {
    for (const h of AUTH_HOSTS) this.logs.set(h, new HostLog(root, h, registry));
  }

  async write(it: AuthItem): Promise<void> {
    const log = this.logs.get(it.host);
    if (log) await log.write(it);
  }

  get count(): number {
    let n = 0;
    for (const l of this.logs.values()) n += l.count;
    return n;
  }

  async drain(): Promise<void> {
    for (const l of this.logs.values()) await l.drain();
  }

  async close(): Promise<void> {
    for (const l of this.logs.values()) await l.close();
  }
}
