/**
 * VPC flow logs as delivered to S3 in the default format (version 2) with its header line:
 * `AWSLogs/<account>/vpcflowlogs/<region>/YYYY/MM/DD/<account>_vpcflowlogs_<region>_<fl-id>_
 * <YYYYMMDDTHHMMZ>_<hash>.log.gz`, one file per delivery interval.
 */
import { ACCOUNT, FLOW_LOG_ID, REGION, WINDOW } from '../estate.js';
import type { VpcItem } from '../model.js';
import { Rng } from '../rng.js';
import { epochSec, MIN, s3Stamp } from '../time.js';
import { type FileRegistry, writeWhole } from './out-file.js';

export const VPC_HEADER = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';

export class VpcWriter {
  private idx = -1;
  private lines: string[] = [];
  private tagged: { it: VpcItem; line: number }[] = [];
  count = 0;
  files = 0;

  constructor(private readonly root: string, private readonly seed: number, private readonly interval: number, private readonly registry: FileRegistry) {}

  write(it: VpcItem): void {
    if (it.start < WINDOW.netStart || it.start >= WINDOW.end) return;
    const idx = Math.floor(it.start / this.interval);
    if (idx !== this.idx) {
      this.flush();
      this.idx = idx;
    }
    const d = (v: string | number | null) => (v === null ? '-' : String(v));
    this.lines.push(
      `2 ${ACCOUNT} ${it.eni} ${d(it.src)} ${d(it.dst)} ${d(it.sport)} ${d(it.dport)} ${d(it.proto)} ${d(it.pkts)} ${d(it.bytes)} ${epochSec(it.start)} ${epochSec(it.end)} ${d(it.action)} ${it.status}`,
    );
    if (it.tag) this.tagged.push({ it, line: this.lines.length + 1 });
    this.count++;
  }

  /** Writes the current file if its interval ended before `t`. */
  flushBefore(t: number): void {
    if (this.idx >= 0 && (this.idx + 1) * this.interval <= t) this.flush();
  }

  close(): void {
    this.flush();
  }

  private flush(): void {
    if (this.lines.length === 0) return;
    const end = (this.idx + 1) * this.interval;
    const nameRng = new Rng(this.seed, `vpc-file:${this.idx}`);
    const delivered = Math.min(end + nameRng.int(2, 8) * MIN, WINDOW.end - 60_000_000);
    const st = s3Stamp(delivered);
    const rel = `aws/AWSLogs/${ACCOUNT}/vpcflowlogs/${REGION}/${st.folder}/${ACCOUNT}_vpcflowlogs_${REGION}_${FLOW_LOG_ID}_${st.stamp}_${nameRng.hex(8)}.log.gz`;
    writeWhole(this.root, rel, `${VPC_HEADER}\n${this.lines.join('\n')}\n`, true, delivered, this.registry);
    for (const { it, line } of this.tagged) {
      it.tag!.evidence = { file: rel, line };
      it.tag!.source = 'vpc_flow';
    }
    this.lines = [];
    this.tagged = [];
    this.files++;
  }
}
