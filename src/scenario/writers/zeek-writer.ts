/**
 * The egress sensor's Zeek conn.log (TSV with the standard headers), rotated daily at midnight UTC:
 * zeek/conn.YYYY-MM-DD-HH-MM-SS.log.gz per day (named by the time it was opened, closed with
 * `#close`) and the live zeek/conn.log open at collection. Records are written when connections
 * end, so `ts` is not monotonic — as in real conn.logs.
 */
import { WINDOW, ZEEK_ROTATION } from '../estate.js';
import type { ZeekItem } from '../model.js';
import { zeekStamp, zeekTs } from '../time.js';
import { type FileRegistry, OutFile } from './out-file.js';

const FIELDS = ['ts', 'uid', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'proto', 'service', 'duration', 'orig_bytes', 'resp_bytes', 'conn_state', 'local_orig', 'local_resp', 'missed_bytes', 'history', 'orig_pkts', 'orig_ip_bytes', 'resp_pkts', 'resp_ip_bytes', 'tunnel_parents'];
const TYPES = ['time', 'string', 'addr', 'port', 'addr', 'port', 'enum', 'string', 'interval', 'count', 'count', 'string', 'bool', 'bool', 'count', 'string', 'count', 'count', 'count', 'count', 'set[string]'];

export class ZeekWriter {
  private day = -1;
  private file: OutFile | null = null;
  count = 0;

  constructor(private readonly root: string, private readonly registry: FileRegistry) {}

  async write(it: ZeekItem): Promise<void> {
    if (it.t < WINDOW.netStart || it.t >= WINDOW.end) return;
    const day = Math.floor(it.t / ZEEK_ROTATION);
    while (this.day < day) await this.rotate(this.day < 0 ? day : this.day + 1);
    const f = this.file!;
    const u = (v: number | null) => (v === null ? '-' : String(v));
    const n = f.line(
      [
        zeekTs(it.ts), it.uid, it.orig, it.origPort, it.resp, it.respPort, it.proto, it.service ?? '-',
        it.duration === null ? '-' : (it.duration / 1e6).toFixed(6), u(it.origBytes), u(it.respBytes), it.state,
        it.localOrig ? 'T' : 'F', it.localResp ? 'T' : 'F', 0, it.history, it.origPkts, it.origIpBytes, it.respPkts, it.respIpBytes, '-',
      ].join('\t'),
    );
    f.mtime = it.t;
    this.count++;
    if (it.tag) {
      it.tag.evidence = { file: f.rel, line: n };
      it.tag.source = 'zeek_conn';
    }
  }

  private async rotate(day: number): Promise<void> {
    const open = day * ZEEK_ROTATION;
    if (this.file) {
      this.file.line(`#close\t${zeekStamp(open)}`);
      this.file.mtime = open;
      await this.file.close();
    }
    this.day = day;
    const live = open + ZEEK_ROTATION > WINDOW.end;
    this.file = new OutFile(this.root, live ? 'zeek/conn.log' : `zeek/conn.${zeekStamp(open)}.log.gz`, !live, this.registry);
    this.file.mtime = open;
    for (const h of ['#separator \\x09', '#set_separator\t,', '#empty_field\t(empty)', '#unset_field\t-', '#path\tconn', `#open\t${zeekStamp(open)}`, `#fields\t${FIELDS.join('\t')}`, `#types\t${TYPES.join('\t')}`]) {
      this.file.line(h);
    }
  }

  async drain(): Promise<void> {
    if (this.file) await this.file.drain();
  }

  async close(): Promise<void> {
    const lastDay = Math.floor((WINDOW.end - 1) / ZEEK_ROTATION);
    while (this.day >= 0 && this.day < lastDay) await this.rotate(this.day + 1);
    if (this.file) await this.file.close();
  }
}
