/**
 * What `dwell correlate` says while it works: on a terminal, one status line rewritten in place
 * (rule n of N, the footprint's size) so a long correlation is never silent; the seeds it uses and
 * the proposals it set aside, with why, always (on stderr, so `--json` output stays clean).
 */
import { safeText } from '../core/sanitize.js';
import type { CorrelateProgress } from '../correlate/correlate.js';
import { formatSeed } from '../correlate/seeds.js';

export function correlateProgress(stream: Pick<NodeJS.WriteStream, 'write' | 'isTTY'>, quiet = false): (p: CorrelateProgress) => void {
  const tty = !!stream.isTTY && !quiet;
  let last = 0;
  let shown = false;
  const status = (text: string, force = false) => {
    if (!tty) return;
    const now = Date.now();
    if (!force && now - last < 100) return;
    last = now;
    stream.write(`\r\x1b[K${text}`);
    shown = true;
  };
  const clear = () => {
    if (shown) stream.write('\r\x1b[K');
    shown = false;
  };
  return (p) => {
    switch (p.step) {
      case 'rules':
        return status(`correlate: rule ${p.done + 1}/${p.total} ${p.rule}`);
      case 'seeds':
        clear();
        if (quiet) return;
        for (const u of p.used) stream.write(`seed ${safeText(formatSeed(u.seed))}: ${safeText(u.reason)} (${u.matched} event(s))\n`);
        for (const a of p.setAside) stream.write(`not used: ${safeText(formatSeed(a.seed))}: ${safeText(a.reason)}\n`);
        return;
      case 'hosts':
        return status('correlate: learning hosts and their addresses from the evidence', true);
      case 'footprint':
        return status(`correlate: footprint ${p.entities} entities, ${p.events} attacker events`);
      case 'findings':
        return status('correlate: writing the findings', true);
      case 'store':
        status('correlate: storing the findings', true);
        return clear();
    }
  };
}
