/**
 * CloudTrail as delivered to S3: `AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/
 * <account>_CloudTrail_<region>_<YYYYMMDDTHHMMZ>_<16 chars>.json.gz`, one `{"Records":[…]}` per
 * delivery interval and region (global services under us-east-1). Nothing is delivered while the
 * trail is stopped.
 */
import { ACCOUNT, INCIDENT, WINDOW } from '../estate.js';
import type { CtItem } from '../model.js';
import { Rng } from '../rng.js';
import { MIN, s3Stamp } from '../time.js';
import { type FileRegistry, writeWhole } from './out-file.js';

interface Pending {
  idx: number;
  items: CtItem[];
}

export class CloudTrailWriter {
  private readonly pending = new Map<string, Pending>();
  count = 0;
  files = 0;

  constructor(private readonly root: string, private readonly seed: number, private readonly interval: number, private readonly registry: FileRegistry) {}

  /** The trail was not logging: CloudTrail has no record of this moment. */
  static stopped(t: number): boolean {
    return t > INCIDENT.trailStopped && t < INCIDENT.trailStarted;
  }

  write(it: CtItem): void {
    if (it.t < WINDOW.netStart || it.t >= WINDOW.end || CloudTrailWriter.stopped(it.t)) return;
    const idx = Math.floor(it.t / this.interval);
    let p = this.pending.get(it.region);
    if (p && p.idx !== idx) {
      this.flushRegion(it.region, p);
      p = undefined;
    }
    if (!p) this.pending.set(it.region, (p = { idx, items: [] }));
    p.items.push(it);
  }

  /** Writes every interval that ended before `t`. */
  flushBefore(t: number): void {
    for (const [region, p] of this.pending) {
      if ((p.idx + 1) * this.interval <= t) {
        this.flushRegion(region, p);
        this.pending.delete(region);
      }
    }
  }

  close(): void {
    for (const [region, p] of [...this.pending]) this.flushRegion(region, p);
    this.pending.clear();
  }

  private flushRegion(region: string, p: Pending): void {
    const end = (p.idx + 1) * this.interval;
    const nameRng = new Rng(this.seed, `ct-file:${region}:${p.idx}`);
    // Delivered a few minutes after the interval closes.
    const delivered = Math.min(end + nameRng.int(1, 4) * MIN + nameRng.int(0, 59) * 1_000_000, WINDOW.end - 60_000_000);
    const st = s3Stamp(delivered);
    const rel = `aws/AWSLogs/${ACCOUNT}/CloudTrail/${region}/${st.folder}/${ACCOUNT}_CloudTrail_${region}_${st.stamp}_${nameRng.alnum(16)}.json.gz`;
    const parts: string[] = [];
    p.items.forEach((it, i) => {
      parts.push(JSON.stringify(it.rec));
      if (it.tag) {
        it.tag.evidence = { file: rel, line: i + 1 };
        it.tag.source = 'cloudtrail';
      }
    });
    writeWhole(this.root, rel, `{"Records":[${parts.join(',')}]}`, true, delivered, this.registry);
    this.count += p.items.length;
    this.files++;
  }
}
