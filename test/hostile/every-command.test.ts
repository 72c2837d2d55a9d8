/**
 * One hostile evidence folder through every command (issue 18, "Done when"). The folder is
 * written here and holds every hostile shape of the issue at once: escape sequences (OSC 52, the
 * window title, CSI, C1) and bidi overrides in user names, commands and file names; CSV formula
 * cells; HTML and Markdown links/images; SQL-injection strings; file names with a newline and
 * with bytes that are not UTF-8; a symbolic link out of the evidence and a loop; a FIFO; a small
 * gzip bomb; U+2028 inside a line; `::ffff:` addresses; a year-0000 CloudTrail time. It is
 * ingested once, then every command runs over it — to a file, to a pipe and on a terminal (for
 * exports, one format per what: TTY_FORMAT) — and each run is held to the class-wide promises:
 *  - its exit code is the one the command documents for this state;
 *  - no Node stack trace; nothing a terminal interprets that dwell did not write itself;
 *  - no formula cell in any CSV, no HTML/link/image from evidence in any Markdown;
 * and after all of them: evidence bytes, mtime and atime unchanged (links and the FIFO included),
 * nothing written inside the evidence, no partial file left, the case's events unchanged.
 *
 * Adding a command = one row in COMMANDS (below): its arguments, the exit codes that are right on
 * this corpus, whether it is also run on a terminal, and the file it writes (checked by its
 * extension). Exports are rows generated from the export registry, so a new format is covered
 * without an edit.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hashEvidence } from '../../src/core/evidence-read.js';
import { FORMATS } from '../../src/export/registry.js';
import { WHATS, type What } from '../../src/export/types.js';
import { query } from '../helpers/case.js';
import { BIN, tempDir } from '../helpers/cli.js';
import { csvRows, foreignControl, foreignTags, formulaCells } from './checks.js';
import { CSI, FORMULA, IMG, MD_IMAGE, OSC52, TITLE, writeHostileEvidence } from './corpus.js';

/** Dozens of CLI runs: about a minute on a quiet machine, ten inside the full suite on a loaded 2-core one. */
const LONG = 1_200_000;
vi.setConfig({ testTimeout: LONG, hookTimeout: LONG });

const HAS_SCRIPT = spawnSync('script', ['--version']).status === 0;
const MAPPED = '::ffff:203.0.113.77';
const SQLI = [`x' OR '1'='1`, `'; DROP TABLE events; --`, `a"); DELETE FROM evidence; --`];
/** Escape sequences whose shape is a CSI dwell might write itself, told apart by the text after them. */
const PAYLOADS = [`${CSI}cls`, `${CSI}evil`];
const NODE_TRACE = /\n\s+at .+:\d+:\d+|Cannot read properties|TypeError|RangeError/;
const SECRET = 'SECRET-OUTSIDE-MARKER';

const sshd = (t: string, pid: number, msg: string) => `Jan  4 ${t} web-02 sshd[${pid}]: ${msg}`;

interface Corpus {
  dir: string;
  root: string;
  outside: string;
  casePath: string;
  out: string;
}

/** Writes the hostile evidence under dir/evidence (and the file the outward link points at). */
function writeCorpus(dir: string): Omit<Corpus, 'casePath' | 'out'> {
  const { root } = writeHostileEvidence(dir);
  const web2 = join(root, 'web-02');
  mkdirSync(web2);
  writeFileSync(
    join(web2, 'auth.log'),
    [
      ...SQLI.map((u, i) => sshd(`09:00:0${i}`, 10 + i, `Invalid user ${u} from 203.0.113.77 port ${5000 + i}`)),
      sshd('09:01:00', 20, `Invalid user line\u2028separator from 203.0.113.77 port 5100`),
      sshd('09:02:00', 21, `Accepted password for deploy from ${MAPPED} port 5200 ssh2`),
      sshd('09:03:00', 22, `Invalid user ${CSI}evil from 2001:DB8:0:0::66 port 5300`),
      '',
    ].join('\n'),
  );
  // File names: a newline, and bytes that are not UTF-8 (written through a Buffer path).
  writeFileSync(join(web2, 'new\nline.log'), sshd('09:04:00', 30, 'Invalid user newline-name from 203.0.113.77 port 5400') + '\n');
  writeFileSync(Buffer.concat([Buffer.from(web2 + '/bad'), Buffer.from([0xff, 0xfe]), Buffer.from('.log')]), sshd('09:05:00', 31, 'Invalid user badname from 203.0.113.77 port 5500') + '\n');
  // CloudTrail: a zeroed time, a mapped address, HTML and a formula in the user name.
  const cloud = join(root, 'cloud');
  mkdirSync(cloud);
  const rec = (time: string, name: string, user: string) =>
    JSON.stringify({ eventVersion: '1.09', eventTime: time, eventSource: 'iam.amazonaws.com', eventName: name, sourceIPAddress: `::ffff:198.51.100.24`, userIdentity: { type: 'IAMUser', userName: user, accessKeyId: 'AKIAHOSTILE000000001' } });
  writeFileSync(join(cloud, 'trail.json'), `{"Records":[${rec('2026-01-04T09:10:00Z', 'CreateUser', IMG)},${rec('0000-01-01T00:00:00Z', 'DeleteTrail', `${FORMULA}${MD_IMAGE}`)}]}\n`);
  // A small gzip bomb: one record, then 17 MiB of newlines (about 17 KiB compressed).
  const bomb = Buffer.concat([Buffer.from(sshd('09:20:00', 40, 'Invalid user bomb from 203.0.113.77 port 5600') + '\n'), Buffer.alloc(17 << 20, 0x0a)]);
  mkdirSync(join(root, 'db-01'));
  writeFileSync(join(root, 'db-01', 'bomb.log.gz'), gzipSync(bomb, { level: 9 }));
  // A link out of the evidence (stands in for /etc/shadow), a loop, and a FIFO.
  const outside = join(dir, 'outside', 'shadow');
  mkdirSync(join(dir, 'outside'));
  writeFileSync(outside, sshd('09:30:00', 50, `Invalid user ${SECRET} from 203.0.113.77 port 5700`) + '\n');
  symlinkSync(outside, join(web2, 'secure'));
  symlinkSync('.', join(root, 'loop'));
  execFileSync('mkfifo', [join(web2, 'pipe')]);
  return { dir, root, outside };
}

interface Entry {
  type: string;
  size: number;
  mtimeNs: bigint;
  /** Regular files only: listing a folder may move the folder's own access time (documented). */
  atimeNs?: bigint;
  sha256?: string;
  link?: string;
}

/** Every entry under the evidence (by raw name bytes, links not followed), with its bytes and times. */
async function snapshot(root: string, extra: string[]): Promise<Map<string, Entry>> {
  const map = new Map<string, Entry>();
  const visit = async (path: Buffer) => {
    const st = lstatSync(path, { bigint: true });
    const e: Entry = { type: st.isFile() ? 'file' : st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'link' : st.isFIFO() ? 'fifo' : 'other', size: Number(st.size), mtimeNs: st.mtimeNs };
    if (st.isFile()) {
      e.atimeNs = st.atimeNs;
      e.sha256 = await hashEvidence(path);
    }
    map.set(path.toString('hex'), e);
    if (st.isDirectory()) for (const name of readdirSync(path, { encoding: 'buffer' }).sort(Buffer.compare)) await visit(Buffer.concat([path, Buffer.from('/'), name]));
  };
  await visit(Buffer.from(root));
  for (const p of extra) await visit(Buffer.from(p));
  return map;
}

/** Every regular file's access time set far in the past, where any read would move it (relatime). */
function ageAccessTimes(root: string): void {
  const visit = (path: Buffer) => {
    const st = lstatSync(path);
    if (st.isFile()) utimesSync(path, new Date('2001-02-03T04:05:06Z'), st.mtime);
    else if (st.isDirectory()) for (const name of readdirSync(path, { encoding: 'buffer' })) visit(Buffer.concat([path, Buffer.from('/'), name]));
  };
  visit(Buffer.from(root));
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

const env = { ...process.env, NO_COLOR: '1' };

/** stdout to a pipe (the data as written), stderr to a pipe. */
function piped(args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - started }));
  });
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * stdout and stderr on one pseudo-terminal (util-linux `script`), as a responder runs dwell. Keys,
 * if any, are typed one group at a time, each once the output has settled (an interactive command
 * reads them from the terminal).
 */
function onTerminal(args: string[], cwd: string, keys: string[] = []): Promise<Run> {
  return new Promise((resolve, reject) => {
    // A fixed size, so Ink lays the TUI out the same way on every machine.
    const cmd = `stty rows 30 cols 160 2>/dev/null; exec ${[process.execPath, BIN, ...args].map(shellQuote).join(' ')}`;
    const child = spawn('script', ['-qfec', cmd, '/dev/null'], { cwd, env: { ...env, TERM: 'xterm-256color' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const started = Date.now();
    let last = Date.now();
    child.stdout.on('data', (d) => {
      stdout += d;
      last = Date.now();
    });
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    const pending = [...keys];
    const timer = setInterval(() => {
      // Typed once the screen has been quiet for a moment (the previous key was handled).
      if (pending.length && stdout.length > 0 && Date.now() - last > 1500) {
        child.stdin.write(pending.shift()!);
        last = Date.now();
      }
    }, 100);
    const kill = setTimeout(() => child.kill('SIGKILL'), 180_000);
    child.on('close', (code) => {
      clearInterval(timer);
      clearTimeout(kill);
      child.stdin.destroy();
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
    if (!keys.length) child.stdin.end();
  });
}

/** What the output of a run must satisfy for its kind: CSV, Markdown, or anything else. */
function checkContent(label: string, kind: string, text: string): void {
  if (kind === 'csv') expect(formulaCells(text), `${label}: formula cells`).toEqual([]);
  if (kind === 'md') {
    expect(foreignTags(text), `${label}: HTML from evidence`).toEqual([]);
    expect(text, label).not.toContain(MD_IMAGE);
  }
}

interface Row {
  /** Shown in the test name. */
  name: string;
  args: (c: Corpus) => string[];
  /** Exit codes that are right for this command on this corpus. */
  codes: number[];
  /** Run it as written (stdout to a pipe), on a terminal, or both. */
  modes: ('pipe' | 'tty')[];
  /** Kind of what it prints to stdout (csv, md, …), checked in pipe mode. */
  stdoutKind?: string;
  /** A file it writes (checked by extension), relative to the output folder. */
  writes?: string;
  /** Keys typed on the terminal (interactive commands). */
  keys?: string[];
  /** It writes the case: run before the others, one at a time. */
  writesCase?: boolean;
  /** Text that must be on the terminal: the hostile data arrived, shown escaped (not left out). */
  shows?: string;
}

const exportPairs = FORMATS.flatMap((f) => f.whats.map((what) => ({ what, format: f.name, dir: f.target === 'directory' })));
/**
 * Exports to stdout run on a terminal too for one format per what (one whose text carries evidence
 * as written: CSV, JSON lines, the report, the revocation script). The terminal escaping sits under
 * all formats alike (src/core/output/stdout.ts), and that every exporter and format is escaped on a
 * terminal is test/hostile/text-safety.test.ts's own check; every format still runs here to a file
 * and to a pipe. Running all of them on a terminal too made this the slowest file of the suite.
 */
const TTY_FORMAT: Record<What, string> = { timeline: 'csv', attack: 'jsonl', findings: 'md', iocs: 'csv', detections: 'jsonl', mitigations: 'revoke-sh' };
const extOf = (format: string) => (format.endsWith('csv') ? 'csv' : format === 'md' ? 'md' : format === 'parquet' ? 'parquet' : 'json');

// In order: each works on the case the ingest and correlate before it left. Exit 1 from ingest:
// the bomb is held only in part (that is the documented code, and the same on a re-run).
const COMMANDS: Row[] = [
  { name: 'ingest again (re-run)', args: (c) => ['ingest', '--year', '2026', '--case', c.casePath, c.root], codes: [1], modes: ['pipe', 'tty'], writesCase: true },
  { name: 'ingest --json (re-run)', args: (c) => ['ingest', '--year', '2026', '--json', '--case', c.casePath, c.root], codes: [1], modes: ['pipe'], writesCase: true },
  { name: 'correlate', args: (c) => ['correlate', '--case', c.casePath, '--seed', `ip:${MAPPED}`, '--detected-at', '2026-01-05T00:00:00Z'], codes: [0], modes: ['pipe', 'tty'], writesCase: true },
  { name: 'correlate --json', args: (c) => ['correlate', '--case', c.casePath, '--seed', 'ip:203.0.113.77', '--json'], codes: [0], modes: ['pipe', 'tty'], writesCase: true },
  { name: 'verify', args: (c) => ['verify', '--case', c.casePath], codes: [0], modes: ['pipe', 'tty'] },
  { name: 'verify --json', args: (c) => ['verify', '--case', c.casePath, '--json'], codes: [0], modes: ['pipe', 'tty'] },
  { name: 'sniff', args: (c) => ['sniff', c.root], codes: [0], modes: ['pipe', 'tty'], shows: 'new\\nline.log' },
  { name: 'sniff --json', args: (c) => ['sniff', '--json', c.root], codes: [0], modes: ['pipe', 'tty'] },
  ...exportPairs.flatMap(({ what, format, dir }): Row[] => {
    const base = (c: Corpus) => ['export', '--case', c.casePath, '--what', what, '--format', format];
    const file = `${what}-${format}.${extOf(format)}`;
    return [
      { name: `export ${what} ${format} -o FILE`, args: (c) => [...base(c), '-o', join(c.out, file)], codes: [0], modes: ['pipe'], writes: file },
      ...(dir ? [] : [{ name: `export ${what} ${format} to stdout`, args: base, codes: [0], modes: TTY_FORMAT[what] === format ? ['pipe', 'tty'] : ['pipe'], stdoutKind: extOf(format), shows: what === 'timeline' ? ']52;c;ZXZpbA==' : undefined } satisfies Row]),
    ];
  }),
  // The TUI: the detail view (re-hashes the evidence file), its verify, its CSV export under the
  // offered name, back, quit.
  { name: 'tui', args: (c) => ['tui', '--case', c.casePath, '--author', 'hostile-test'], codes: [0], modes: ['tty'], keys: ['\r', 'v', '\x1b', 'e', '\r', 'q'], shows: '\\x1b' },
  ...['ingest', 'verify', 'sniff', 'correlate', 'export', 'tui', 'demo'].map((cmd): Row => ({ name: `${cmd} --help`, args: () => [cmd, '--help'], codes: [0], modes: ['tty'] })),
];

it('the exports run on a terminal are one to standard output for every what', () => {
  const onTty = COMMANDS.filter((r) => r.name.startsWith('export ') && r.name.endsWith(' to stdout') && r.modes.includes('tty')).map((r) => r.name);
  expect(onTty.sort()).toEqual(WHATS.map((what) => `export ${what} ${TTY_FORMAT[what]} to stdout`).sort());
});

describe('one hostile evidence folder through every command', () => {
  const tmp = tempDir('dwell-every-');
  let c: Corpus;
  let before: Map<string, Entry>;
  let eventsBefore: unknown;
  const results = new Map<string, Promise<Run>>();
  const eventsDigest = async () => (await query(c.casePath, `SELECT count(*)::INTEGER AS n, sum(hash(event_id, ts, raw, actor, src_ip, time_quality))::VARCHAR AS h FROM events`))[0];

  beforeAll(async () => {
    const w = writeCorpus(tmp.path);
    c = { ...w, casePath: join(tmp.path, 'case.duckdb'), out: join(tmp.path, 'out') };
    mkdirSync(c.out);
    ageAccessTimes(c.root);
    ageAccessTimes(join(tmp.path, 'outside'));
    before = await snapshot(c.root, [c.outside]);
    const first = await piped(['ingest', '--year', '2026', '--case', c.casePath, c.root], c.out);
    expect(first.code, first.stderr).toBe(1);
    eventsBefore = await eventsDigest();
    // The commands that write the case run first, one after the other; the rest (read-only) a
    // few at a time — one ingest, then about a minute of runs on a quiet machine.
    const jobs = COMMANDS.flatMap((row) => row.modes.filter((m) => m === 'pipe' || HAS_SCRIPT).map((mode) => ({ row, mode })));
    const start = ({ row, mode }: (typeof jobs)[number]) => {
      const p = mode === 'tty' ? onTerminal(row.args(c), c.out, row.keys) : piped(row.args(c), c.out);
      results.set(`${row.name}\0${mode}`, p);
      return p;
    };
    for (const job of jobs.filter((j) => j.row.writesCase)) await start(job);
    const queue = jobs.filter((j) => !j.row.writesCase);
    await Promise.all(
      Array.from({ length: 3 }, async () => {
        for (let job = queue.shift(); job; job = queue.shift()) await start(job);
      }),
    );
  });
  afterAll(async () => {
    // Where the time goes (the budget: one ingest, then about a minute on a quiet machine).
    const slow = await Promise.all([...results].map(async ([k, p]) => [k.replace('\0', ' '), (await p).ms] as const));
    console.log('slowest runs (ms):', slow.sort((a, b) => b[1] - a[1]).slice(0, 6));
    tmp.cleanup();
  });

  it('the corpus holds what it should: every hostile shape ingested, skipped or marked as promised', async () => {
    const ev = await query<{ path: string; status: string }>(c.casePath, `SELECT path, status FROM evidence ORDER BY path`);
    const status = (suffix: string) => ev.find((r) => r.path.endsWith(suffix))?.status;
    expect(status('bomb.log.gz')).toBe('partial');
    expect(status('web-02/secure')).toBe('skipped');
    expect(status('web-02/pipe')).toBe('skipped');
    expect(status('evidence/loop')).toBe('skipped');
    expect(status('new\nline.log')).toBe('ingested');
    expect(ev.filter((r) => r.path.includes('\\xff\\xfe') || r.path.includes('\ufffd')).map((r) => r.status)).toEqual(['ingested']);
    const [e] = await query<{ mapped: number; canonical: number; v6: number; sep: number; y0: number; secret: number; sqli: number }>(
      c.casePath,
      `SELECT (SELECT count(*) FROM events WHERE src_ip LIKE '::ffff:%')::INTEGER AS mapped,
              (SELECT count(*) FROM events WHERE src_ip = '203.0.113.77' AND action = 'ssh_login')::INTEGER AS canonical,
              (SELECT count(*) FROM events WHERE src_ip = '2001:db8::66')::INTEGER AS v6,
              (SELECT count(*) FROM events WHERE raw LIKE '%' || chr(8232) || '%')::INTEGER AS sep,
              (SELECT count(*) FROM events WHERE time_quality = 'implausible')::INTEGER AS y0,
              (SELECT count(*) FROM events WHERE raw LIKE '%${SECRET}%')::INTEGER + (SELECT count(*) FROM parse_warnings WHERE raw LIKE '%${SECRET}%')::INTEGER AS secret,
              (SELECT count(*) FROM events WHERE actor LIKE '%DROP TABLE%' OR target LIKE '%DROP TABLE%')::INTEGER AS sqli`,
    );
    expect(e).toEqual({ mapped: 0, canonical: 1, v6: 1, sep: 1, y0: 1, secret: 0, sqli: 1 });
  });

  for (const row of COMMANDS) {
    for (const mode of row.modes) {
      it.skipIf(mode === 'tty' && !HAS_SCRIPT)(`${row.name} (${mode === 'tty' ? 'on a terminal' : 'stdout to a pipe'})`, async () => {
        const r = await results.get(`${row.name}\0${mode}`)!;
        const label = `${row.name} [${mode}]`;
        expect(row.codes, `${label}: exit ${r.code}\n${r.stderr}\n${r.stdout.slice(-2000)}`).toContain(r.code);
        expect(r.stderr + r.stdout, `${label}: a stack trace`).not.toMatch(NODE_TRACE);
        // Standard error reaches the responder's terminal either way; stdout does on a terminal.
        expect(foreignControl(r.stderr, PAYLOADS), `${label}: stderr`).toBeNull();
        if (mode === 'tty') expect(foreignControl(r.stdout, PAYLOADS), `${label}: terminal`).toBeNull();
        if (mode === 'tty' && row.shows) expect(r.stdout, label).toContain(row.shows);
        else if (row.stdoutKind) checkContent(label, row.stdoutKind, r.stdout);
        if (row.writes) {
          const path = join(c.out, row.writes);
          if (statSync(path).isDirectory()) expect(readdirSync(path).length, label).toBeGreaterThan(0);
          else checkContent(label, row.writes.split('.').pop()!, readFileSync(path, 'utf8'));
        }
      });
    }
  }

  it('the TUI’s export was written where the responder was, and is formula-safe', () => {
    const tuiCsv = readdirSync(c.out).filter((f) => /^dwell-export-.*\.csv$/.test(f));
    expect(tuiCsv).toHaveLength(1);
    const text = readFileSync(join(c.out, tuiCsv[0]!), 'utf8');
    expect(csvRows(text).flat()).toContain(`'${FORMULA}`);
    expect(formulaCells(text)).toEqual([]);
  });

  it('afterwards: every evidence byte, mtime and atime as before, nothing added inside the evidence, nothing read outside it', async () => {
    expect(await snapshot(c.root, [c.outside])).toEqual(before);
  });

  it('afterwards: no partial file anywhere, and the case holds the same events and still verifies', async () => {
    const names: string[] = [];
    const walk = (d: Buffer) => {
      for (const n of readdirSync(d, { encoding: 'buffer' })) {
        const p = Buffer.concat([d, Buffer.from('/'), n]);
        names.push(n.toString());
        if (lstatSync(p).isDirectory()) walk(p);
      }
    };
    walk(Buffer.from(tmp.path));
    expect(names.filter((f) => /\.partial-\d+|^\.dwell-partial-|\.staging$/.test(f))).toEqual([]);
    expect(await eventsDigest()).toEqual(eventsBefore);
    const v = await piped(['verify', '--case', c.casePath], c.out);
    expect(v.code, v.stdout).toBe(0);
    // Hostile payloads reached the case intact (nothing "fixed" them on the way in).
    const [raw] = await query<{ n: number }>(c.casePath, `SELECT count(*)::INTEGER AS n FROM events WHERE raw LIKE '%' || $osc || '%' OR raw LIKE '%' || $title || '%'`, { osc: OSC52, title: TITLE });
    expect(raw!.n).toBeGreaterThan(0);
  });
});
