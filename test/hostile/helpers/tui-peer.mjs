/**
 * Another `dwell tui` on the same case, in a process of its own (DuckDB's file lock is per
 * process): the data layer of the built TUI, driven by one JSON command per line on stdin,
 * answering one JSON line per command on stdout.
 *
 *   node tui-peer.mjs DIST CASE
 *   {"op":"note","eventId":1,"text":"…","author":"bob"}  →  {"state":"pending","waiting":1}
 *   {"op":"detail","eventId":1}                            →  {"annotations":[…]}
 *   {"op":"quit"}                                          →  {"code":0,"stderr":"…"}
 */
import { createInterface } from 'node:readline';

const [dist, casePath] = process.argv.slice(2);
const { DuckDbSource } = await import(`${dist}/tui/data/duckdb-source.js`);
const { settleAnnotations } = await import(`${dist}/tui/run.js`);
const src = await DuckDbSource.open(casePath);
const say = (o) => process.stdout.write(JSON.stringify(o) + '\n');
say({ ready: true });
for await (const line of createInterface({ input: process.stdin })) {
  const cmd = JSON.parse(line);
  if (cmd.op === 'note') {
    try {
      const r = await src.annotate(cmd.eventId, 'note', cmd.text, cmd.author);
      say({ state: r.state, waiting: r.waiting });
    } catch (err) {
      say({ error: err.message });
    }
  } else if (cmd.op === 'detail') {
    const d = await src.detail(cmd.eventId);
    say({ annotations: d.annotations });
  } else if (cmd.op === 'quit') {
    src.close();
    let stderr = '';
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = (s) => ((stderr += s), true);
    const code = await settleAnnotations(casePath, src);
    process.stderr.write = write;
    say({ code, stderr });
    process.exit(0);
  }
}
