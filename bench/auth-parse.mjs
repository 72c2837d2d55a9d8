/**
 * The auth parser alone, per message family (issue 14): lines of the bench's generated auth.log
 * (bench/lib/gen-auth-log.mjs) are grouped by the action the parser gives them, and each group is
 * parsed again on its own, timed, several rounds: µs per line for each family, and for the whole
 * mix. Reads dist/ (run `npm run build` first). No DuckDB, no staging: parse only, then the
 * staging encode separately (JSON of the row, as the ingest writes it).
 *
 *   node bench/auth-parse.mjs [--lines 300000] [--rounds 5]
 */
import { authLines } from './lib/gen-auth-log.mjs';
import { authLog } from '../dist/parsers/auth-log.js';
import { LocalZone } from '../dist/core/time.js';
import { encodeEvent } from '../dist/store/staging-rows.js';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const LINES = arg('lines', 300_000);
const ROUNDS = arg('rounds', 5);

function parseAll(lines, sink) {
  const ctx = {
    path: 'auth.log',
    mtimeMs: Date.UTC(2025, 11, 31),
    options: { tz: new LocalZone('UTC'), year: 2025, extra: {} },
    emit: sink,
    warn() {},
    setYearShift() {},
    setFileInfo() {},
    recordOnly() {},
  };
  const h = authLog.open(ctx);
  let offset = 0;
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i];
    h.line(t, i + 1, offset, t.length);
    offset += t.length + 1;
  }
  h.end();
}

const all = [...authLines(LINES, 42)];
// Families: the action each line's event gets.
const families = new Map();
let idx = 0;
parseAll(all, (e) => {
  const k = `${e.action}`;
  if (!families.has(k)) families.set(k, []);
  families.get(k).push(all[e.line - 1]);
  idx++;
});

function time(fn) {
  const cpu0 = process.cpuUsage();
  fn();
  const c = process.cpuUsage(cpu0);
  return (c.user + c.system) / 1000; // ms
}

const rows = [];
for (const [family, lines] of [['(all, mixed)', all], ...[...families].sort((a, b) => b[1].length - a[1].length)]) {
  let best = Infinity;
  let bestEnc = Infinity;
  let events = [];
  for (let r = 0; r < ROUNDS; r++) {
    events = [];
    best = Math.min(best, time(() => parseAll(lines, (e) => events.push(e))));
  }
  for (let r = 0; r < ROUNDS; r++) {
    let n = 0;
    bestEnc = Math.min(bestEnc, time(() => {
      for (const e of events) n += encodeEvent(0, e, true).length;
    }));
  }
  rows.push({ family, lines: lines.length, share: ((100 * lines.length) / all.length).toFixed(1) + '%', parse_us: ((best * 1000) / lines.length).toFixed(2), encode_us: ((bestEnc * 1000) / lines.length).toFixed(2) });
}
console.log(`auth parser alone: ${LINES} generated lines, best CPU of ${ROUNDS} rounds per family (Node ${process.version})`);
console.log('| family (action) | lines | share | parse µs/line | staging encode µs/line |');
console.log('|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.family} | ${r.lines} | ${r.share} | ${r.parse_us} | ${r.encode_us} |`);
