/**
 * The health line on a terminal (standard error): files followed, events per second, the newest
 * event time per source, alerts. Redrawn in place each second; cleared before anything else is
 * printed so alerts are never overwritten. Off when standard error is not a terminal.
 */
import { safeText } from '../core/sanitize.js';
import type { WatchStats } from './watcher.js';

export class WatchHealth {
  private shown = false;
  private lastEvents = 0;
  private lastAt = Date.now();

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly enabled: boolean,
  ) {}

  show(s: WatchStats): void {
    if (!this.enabled) return;
    const now = Date.now();
    const rate = ((s.events - this.lastEvents) * 1000) / Math.max(1, now - this.lastAt);
    this.lastEvents = s.events;
    this.lastAt = now;
    const last = [...s.lastBySource.entries()].map(([src, us]) => `${src} ${new Date(us / 1000).toISOString().slice(0, 19)}Z`).join(', ');
    const line = safeText(`watching ${s.followed} followed / ${s.files} files · ${rate.toFixed(0)} ev/s · ${s.events} events · ${s.alerts} alerts${last ? ' · last: ' + last : ''}`);
    const width = this.out.columns ? this.out.columns - 1 : 120;
    this.out.write(`\r\x1b[2K${line.slice(0, width)}`);
    this.shown = true;
  }

  clear(): void {
    if (!this.shown) return;
    this.out.write('\r\x1b[2K');
    this.shown = false;
  }
}
