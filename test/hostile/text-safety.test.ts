/**
 * One text-safety layer per output kind (issue 18, items 2 and 3): the hostile corpus goes
 * through every exporter and format of the registry, the commands' own output, the Markdown
 * report (rendered by two real Markdown renderers) and the TUI's export.
 *  - terminal: nothing from evidence that a terminal would interpret reaches one — not through an
 *    export written to a TTY (CSV, JSON lines…), not through any command's output;
 *  - CSV: no cell a spreadsheet would run as a formula, in every CSV including the TUI's, whose
 *    cells are exactly csvCell's;
 *  - Markdown/HTML: no raw HTML, no link, no image from evidence, and the text still reads as it was.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { csvCell, csvLine } from '../../src/core/output/csv.js';
import { markdownText } from '../../src/core/output/markdown.js';
import { guardOutput, type StdoutState } from '../../src/core/output/stdout.js';
import { TerminalEscaper, terminalText } from '../../src/core/output/terminal.js';
import { FORMATS } from '../../src/export/registry.js';
import { CaseDb } from '../../src/store/case-db.js';
import { DuckDbSource } from '../../src/tui/data/duckdb-source.js';
import { EXPORT_COLUMNS } from '../../src/tui/data/sql.js';
import { BIN, dwell, ROOT, tempDir } from '../helpers/cli.js';
import { inLanes } from '../helpers/pool.js';
import { csvRows, htmlToText, isFormula, RENDERERS, REPORT_TAGS, tagsOf } from './checks.js';
import { ATTACKER_IP, BIDI, C1_CSI, fingerprint, FORMULA, hostileCase, HOSTILE_USERS, IMG, MD_IMAGE, MD_LINK, OSC52, SCRIPT, TERMINAL_UNSAFE, TITLE, type HostileEvidence } from './corpus.js';

/** Many runs of the CLI one after the other: on a loaded 2-core machine each can take seconds. */
const LONG = 600_000;
vi.setConfig({ testTimeout: LONG, hookTimeout: LONG });

const hasScript = spawnSync('script', ['--version']).status === 0;

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The `script` command line that runs dwell with its standard output on a pseudo-terminal; stderr goes to a file. */
function terminalArgs(args: string[], errFile: string): string[] {
  return ['-qec', `${[process.execPath, BIN, ...args].map(shellQuote).join(' ')} 2>${shellQuote(errFile)}`, '/dev/null'];
}
const terminalEnv = () => ({ ...process.env, NO_COLOR: '1' });

/** Runs dwell with its standard output on a pseudo-terminal (util-linux `script`); stderr goes to a file. */
function onTerminal(args: string[], errFile: string): { code: number | null; out: string } {
  const r = spawnSync('script', terminalArgs(args, errFile), { cwd: ROOT, env: terminalEnv(), encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout };
}

/** onTerminal, without blocking the test's process: several run side by side. */
function onTerminalAsync(args: string[], errFile: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('script', terminalArgs(args, errFile), { cwd: ROOT, env: terminalEnv(), stdio: ['ignore', 'pipe', 'ignore'], timeout: 120_000 });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe('text safety: units', () => {
  it('the terminal escaper keeps lines and tabs, escapes everything else, across chunk boundaries', () => {
    expect(terminalText(`a\tb\r\nc\n${OSC52}d\re${BIDI}${C1_CSI}`)).toBe('a\tb\r\nc\n\\x1b]52;c;ZXZpbA==\\x07d\\re\\u202e\\x9b31m');
    const e = new TerminalEscaper();
    const euro = Buffer.from('€', 'utf8');
    let out = e.push(Buffer.from('x\r', 'utf8')) + e.push('\ny\r') + e.push('z') + e.push(euro.subarray(0, 1)) + e.push(euro.subarray(1)) + e.push('\x1b') + e.push('\r');
    out += e.end();
    expect(out).toBe('x\r\ny\\rz€\\x1b\\r');
  });

  it('guards a stream: on a terminal, escape sequences from data are shown, not run; EPIPE stops writing quietly', () => {
    const sink = new PassThrough();
    let written = '';
    sink.on('data', (d) => (written += d));
    const stream = sink as unknown as NodeJS.WriteStream;
    const state: StdoutState = { closedByReader: false, error: null };
    guardOutput(stream, { terminal: true, state });
    stream.write(`user ${OSC52}${TITLE}\n`);
    stream.write(Buffer.from(`${BIDI}x\n`));
    expect(written).toBe('user \\x1b]52;c;ZXZpbA==\\x07\\x1b]0;pwned\\x07\n\\u202ex\n');
    sink.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    expect(state.closedByReader).toBe(true);
    expect(stream.write('after\n')).toBe(true);
    expect(written).not.toContain('after');
  });

  it('a stream that is not a terminal gets the data unchanged', () => {
    const sink = new PassThrough();
    let written = '';
    sink.on('data', (d) => (written += d));
    guardOutput(sink as unknown as NodeJS.WriteStream, { terminal: false, state: { closedByReader: false, error: null } });
    sink.write(`${OSC52}\n`);
    expect(written).toBe(`${OSC52}\n`);
  });

  it('CSV: formula cells are neutralized, full-width forms included', () => {
    for (const c of ['=1+2', '+x', '-x', '@a', '\tx', '\rx', '＝1+2', '＋x', '－x', '＠a']) expect(csvCell(c).replace(/^"/, '')).toMatch(/^'/);
    for (const c of ['-12', '-1.5', 'a=b', ' =lead']) expect(csvCell(c)).not.toMatch(/^"?'/);
  });

  it('Markdown: evidence text renders as exactly the same text, and as nothing but text', () => {
    const samples = [
      ...HOSTILE_USERS.filter((u) => !TERMINAL_UNSAFE.test(u)),
      MD_LINK,
      SCRIPT,
      '**bold** _em_ __init__ ~~gone~~ a_b_c',
      'a|b | c',
      '`code` and ``more``',
      '<http://auto.example/> <a href="x">x</a>',
      '[ref]: http://ref.example/ "t"',
      '\\*not\\* &amp; &#58; &copy;',
      'https://plain.example/x?y=1 www.plain.example foo@bar.example.com mailto:x@y.z',
      '![](javascript:alert(1)) [x](<javascript:alert(1)>)',
      '# not a heading > not a quote - not a list 1. not a list',
      '    four spaces are not code',
      '1) not a list',
      '- not a list',
      '+ not a list',
      '---',
      '> not a quote',
      '=== not a rule',
    ];
    for (const [name, render] of RENDERERS) {
      for (const s of samples) {
        const para = render(markdownText(s));
        expect(tagsOf(para).filter((t) => !REPORT_TAGS.has(t)), `${name}: ${s} → ${para}`).toEqual([]);
        expect(htmlToText(para).trim(), `${name}: ${s}`).toBe(s.trim());
        const table = render(`| a |\n|---|\n| ${markdownText(s)} |\n`);
        expect(tagsOf(table).filter((t) => !REPORT_TAGS.has(t)), `${name}: ${s} → ${table}`).toEqual([]);
        expect(htmlToText(/<td>([\s\S]*?)<\/td>/.exec(table)?.[1] ?? '').trim(), `${name} (table cell): ${s}`).toBe(s.trim());
      }
    }
  });
});

describe('text safety: the hostile corpus through every output', () => {
  let tmp: { path: string; cleanup: () => void };
  let c: HostileEvidence & { casePath: string };
  const err = () => join(tmp.path, 'stderr.txt');

  beforeAll(async () => {
    tmp = tempDir('dwell-hostile-text-');
    c = await hostileCase(tmp.path);
  });
  afterAll(() => tmp?.cleanup());

  const fileFormats = FORMATS.filter((f) => f.target === 'file').flatMap((f) => f.whats.map((what) => [what, f.name] as const));

  it.skipIf(!hasScript)('every exporter and format written to a terminal: no control or bidi character from evidence reaches it', async () => {
    expect(fileFormats.length).toBeGreaterThanOrEqual(15);
    // Exports only read the case: three at a time (test/helpers/pool.ts), each with its own stderr file, checked in order.
    const errOf = (k: number) => join(tmp.path, `stderr-export-${k}.txt`);
    const runs = await inLanes([...fileFormats.entries()], 3, ([k, [what, format]]) => onTerminalAsync(['export', '--case', c.casePath, '--what', what, '--format', format, '-q'], errOf(k)));
    for (const [k, [what, format]] of fileFormats.entries()) {
      const r = runs[k]!;
      expect(r.code, `${what} ${format}: ${readFileSync(errOf(k), 'utf8')}`).toBe(0);
      expect(r.out.length, `${what} ${format}`).toBeGreaterThan(0);
      const bad = r.out.match(TERMINAL_UNSAFE);
      expect(bad, `${what} ${format}: ${JSON.stringify(bad?.[0])} reached the terminal`).toBeNull();
    }
  });

  it.skipIf(!hasScript)('every command’s own output on a terminal: file names and values with escape sequences are shown, not run', () => {
    const fresh = join(tmp.path, 'fresh.duckdb');
    const runs: string[][] = [
      ['verify', '--case', c.casePath],
      ['verify', '--case', c.casePath, '--json'],
      ['sniff', c.root],
      ['sniff', '--json', c.root],
      ['ingest', '--year', '2026', '--json', '--case', fresh, c.root],
      ['correlate', '--case', fresh, '--seed', `ip:${ATTACKER_IP}`],
      ['correlate', '--case', fresh, '--seed', `ip:${ATTACKER_IP}`, '--json'],
    ];
    for (const args of runs) {
      const r = onTerminal(args, err());
      expect(r.code, `${args.join(' ')}: ${readFileSync(err(), 'utf8')}`).toBe(0);
      const bad = r.out.match(TERMINAL_UNSAFE);
      expect(bad, `${args[0]} ${args.at(-1)}: ${JSON.stringify(bad?.[0])} reached the terminal`).toBeNull();
    }
  });

  it('the data itself is unchanged when it goes to a file or a pipe', async () => {
    const r = await dwell(['export', '--case', c.casePath, '--what', 'timeline', '--format', 'jsonl']);
    expect(r.code, r.stderr).toBe(0);
    const actors = r.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { actor: string }).actor);
    expect(actors).toEqual(expect.arrayContaining([`${OSC52}clip`, `adm${BIDI}nimda`, IMG]));
  });

  it('every CSV (timeline, Timesketch, IOCs, findings, the TUI’s): no cell runs as a formula', async () => {
    const csvFormats = fileFormats.filter(([, f]) => f.endsWith('csv'));
    expect(csvFormats.map(([w, f]) => `${w} ${f}`)).toEqual(expect.arrayContaining(['timeline csv', 'attack timesketch-csv', 'iocs csv', 'findings csv']));
    const texts: [string, string][] = [];
    for (const [what, format] of csvFormats) {
      const r = await dwell(['export', '--case', c.casePath, '--what', what, '--format', format]);
      expect(r.code, r.stderr).toBe(0);
      texts.push([`${what} ${format}`, r.stdout]);
    }
    const src = await DuckDbSource.open(c.casePath);
    try {
      const out = join(tmp.path, 'tui.csv');
      await src.exportView({ attack: false, filters: [] }, out, 'csv');
      texts.push(['tui csv', readFileSync(out, 'utf8')]);
    } finally {
      src.close();
    }
    for (const [name, text] of texts) {
      const cells = csvRows(text).flat();
      expect(cells.length, name).toBeGreaterThan(5);
      expect(cells.filter(isFormula), name).toEqual([]);
    }
    expect(csvRows(texts[0]![1]).flat()).toContain(`'${FORMULA}`);
    expect(csvRows(texts.at(-1)![1]).flat()).toContain(`'${FORMULA}`);
  });

  it('the TUI’s CSV export is csvCell’s, cell for cell, with the same CRLF lines', async () => {
    const out = join(tmp.path, 'tui-equal.csv');
    const src = await DuckDbSource.open(c.casePath);
    try {
      expect(await src.exportView({ attack: false, filters: [] }, out, 'csv')).toBe(HOSTILE_USERS.length + 4);
    } finally {
      src.close();
    }
    const db = await CaseDb.open(c.casePath, { readOnly: true });
    let expected = csvLine(EXPORT_COLUMNS.map(([n]) => n));
    try {
      const rows = await db.all<Record<string, string | null>>(
        `SELECT ${EXPORT_COLUMNS.map(([n, e]) => `CAST(${e} AS VARCHAR) AS "${n}"`).join(', ')}
         FROM events e LEFT JOIN evidence ev ON ev.evidence_id = e.evidence_id
         LEFT JOIN (SELECT event_id, min(phase) AS phase FROM attack_events WHERE findings_id = (SELECT max(findings_id) FROM findings) GROUP BY event_id) a ON a.event_id = e.event_id
         ORDER BY e.ts, e.event_id`,
      );
      for (const r of rows) expected += csvLine(EXPORT_COLUMNS.map(([n]) => r[n]));
    } finally {
      db.close();
    }
    expect(readFileSync(out, 'utf8')).toBe(expected);
  });

  it('the TUI’s export goes through the same path checks: never onto or into the evidence, never the case', async () => {
    const before = fingerprint(c.authLog);
    const caseBefore = fingerprint(c.casePath);
    const src = await DuckDbSource.open(c.casePath);
    try {
      await expect(src.exportView({ attack: false, filters: [] }, c.authLog, 'csv')).rejects.toThrow(/refusing to write .*auth\.log: it is evidence file #/);
      await expect(src.exportView({ attack: false, filters: [] }, join(c.root, 'web-01', 'x.jsonl'), 'jsonl')).rejects.toThrow(/it is inside .*evidence/);
      await expect(src.exportView({ attack: false, filters: [] }, c.casePath, 'csv')).rejects.toThrow(/it is the case/);
    } finally {
      src.close();
    }
    expect(fingerprint(c.authLog)).toEqual(before);
    expect(fingerprint(c.casePath)).toEqual(caseBefore);
    expect(readdirSync(join(c.root, 'web-01'))).toHaveLength(2);
  });

  it('the Markdown report renders no HTML, link or image from evidence, in two renderers, and still shows the names', async () => {
    // The report and its separate full timeline (where most evidence text is) are both checked.
    const out = join(tmp.path, 'hostile-report.md');
    const r = await dwell(['export', '--case', c.casePath, '--what', 'findings', '--format', 'md', '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    const both = readFileSync(out, 'utf8') + '\n' + readFileSync(join(tmp.path, 'hostile-report.timeline.md'), 'utf8');
    for (const [name, render] of RENDERERS) {
      const html = render(both);
      // The report's own structure: section anchors, links to them, the summary list, the Mermaid block.
      expect([...new Set(tagsOf(html))].filter((t) => !REPORT_TAGS.has(t) && !['a', 'ul', 'li', 'pre'].includes(t)), name).toEqual([]);
      for (const a of html.match(/<a\b[^>]*>/g) ?? []) expect(a, name).toMatch(/^<a (id="[a-z-]+"|href="#[a-z-]+"|href="hostile-report\.timeline\.md")>$/);
      const text = htmlToText(html);
      for (const s of [IMG, MD_IMAGE, MD_LINK, SCRIPT, FORMULA, 'www.evil.example', 'ops@evil.example.com']) expect(text, `${name}: ${s}`).toContain(s);
      expect(text).toContain('\\x1b]52;c;ZXZpbA==\\x07clip');
      expect(text).not.toMatch(TERMINAL_UNSAFE);
    }
  });
});
