/**
 * Outputs never land on evidence or the case, never replace what is not a regular file, never
 * delete what dwell did not write, and never leave a partial file behind (issue 18, item 1).
 * Every refusal: exit 2, a message naming the path and why, and nothing changed on disk.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BIN, dwell, ROOT, tempDir } from '../helpers/cli.js';
import { rootOf } from '../../src/core/output/protected-paths.js';
import { fingerprint, hostileCase, writeHostileEvidence, type HostileEvidence } from './corpus.js';

/** Many runs of the CLI one after the other: on a loaded 2-core machine each can take seconds. */
const LONG = 300_000;
vi.setConfig({ testTimeout: LONG, hookTimeout: LONG });

const isRoot = process.getuid?.() === 0;

/** Files named like a partial output anywhere under `dir`. */
function partials(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (/\.partial-\d+$|^\.dwell-partial-/.test(n)) out.push(p);
      if (lstatSync(p).isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

describe('exports never alter evidence or the case', () => {
  let tmp: { path: string; cleanup: () => void };
  let c: HostileEvidence & { casePath: string };
  const run = (...args: string[]) => dwell(['export', '--case', c.casePath, ...args]);

  beforeAll(async () => {
    tmp = tempDir('dwell-hostile-exports-');
    c = await hostileCase(tmp.path);
  });
  afterAll(() => tmp?.cleanup());

  it('refuses to write over an evidence file, in every file format, and changes nothing', async () => {
    const before = fingerprint(c.authLog);
    for (const [what, format] of [['findings', 'md'], ['findings', 'csv'], ['timeline', 'csv'], ['timeline', 'jsonl'], ['iocs', 'stix']]) {
      const r = await run('--what', what!, '--format', format!, '-o', c.authLog);
      expect(r.code, `${what} ${format}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(`refusing to write ${c.authLog}: it is evidence file #`);
      expect(fingerprint(c.authLog)).toEqual(before);
    }
    expect(partials(tmp.path)).toEqual([]);
  });

  it('refuses a new file inside an evidence folder or anywhere under a folder given to ingest', async () => {
    for (const p of [join(c.root, 'web-01', 'report.md'), join(c.root, 'report.md'), join(c.root, 'web-01', 'deeper', 'report.md')]) {
      const r = await run('--what', 'findings', '--format', 'md', '-o', p);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/refusing to write .*report\.md: it is inside .*evidence/);
      expect(existsSync(p)).toBe(false);
    }
    expect(readdirSync(c.root).sort()).toEqual(['web-01']);
  });

  it('follows symbolic links: a link to an evidence file or into an evidence folder is the evidence', async () => {
    const before = fingerprint(c.authLog);
    const linkToFile = join(tmp.path, 'looks-harmless.md');
    symlinkSync(c.authLog, linkToFile);
    let r = await run('--what', 'findings', '--format', 'md', '-o', linkToFile);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/refusing to write .*looks-harmless\.md: it is evidence file #/);
    expect(lstatSync(linkToFile).isSymbolicLink()).toBe(true);
    const linkToDir = join(tmp.path, 'reports');
    symlinkSync(join(c.root, 'web-01'), linkToDir);
    r = await run('--what', 'timeline', '--format', 'csv', '-o', join(linkToDir, 'out.csv'));
    expect(r.code, r.stderr).toBe(2);
    expect(existsSync(join(c.root, 'web-01', 'out.csv'))).toBe(false);
    expect(fingerprint(c.authLog)).toEqual(before);
  });

  it('refuses the case, its WAL and its staging folder, and leaves the case intact', async () => {
    const before = fingerprint(c.casePath);
    for (const p of [c.casePath, `${c.casePath}.wal`, join(`${c.casePath}.staging`, 'x.csv')]) {
      const r = await run('--what', 'timeline', '--format', 'csv', '-o', p);
      expect(r.code, `${p}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(/refusing to write .*: it is the (case|write-ahead log of the case|staging folder of the case)/);
    }
    expect(fingerprint(c.casePath)).toEqual(before);
    expect(existsSync(`${c.casePath}.wal`)).toBe(false);
    const again = await run('--what', 'timeline', '--format', 'jsonl', '-q');
    expect(again.code, again.stderr).toBe(0);
  });

  it('replaces only regular files: never a FIFO, a device, a folder, a link, or another case', async () => {
    const fifo = join(tmp.path, 'pipe');
    execFileSync('mkfifo', [fifo]);
    const dir = join(tmp.path, 'a-folder');
    mkdirSync(dir);
    const plain = join(tmp.path, 'plain.txt');
    writeFileSync(plain, 'the analyst’s notes\n');
    const link = join(tmp.path, 'link-to-notes.csv');
    symlinkSync(plain, link);
    const otherCase = join(tmp.path, 'other.duckdb');
    execFileSync(process.execPath, ['--input-type=module', '-e', `const {DuckDBInstance}=await import('@duckdb/node-api'); const i=await DuckDBInstance.create(${JSON.stringify(otherCase)}); const c=await i.connect(); await c.run('CREATE TABLE t(a INT)'); c.closeSync(); i.closeSync();`], { cwd: ROOT });
    const targets: [string, RegExp][] = [
      [fifo, /it is a FIFO/],
      [dir, /it is a folder/],
      [link, /it is a symbolic link/],
      [otherCase, /it is a DuckDB database/],
    ];
    if (isRoot) {
      const dev = join(tmp.path, 'null-device');
      execFileSync('mknod', [dev, 'c', '1', '3']);
      targets.push([dev, /it is a character device/]);
    }
    const otherBefore = fingerprint(otherCase);
    for (const [p, why] of targets) {
      const r = await run('--what', 'timeline', '--format', 'csv', '-o', p);
      expect(r.code, `${p}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(why);
    }
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(lstatSync(dir).isDirectory()).toBe(true);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(plain, 'utf8')).toBe('the analyst’s notes\n');
    expect(fingerprint(otherCase)).toEqual(otherBefore);
    if (isRoot) expect(lstatSync(join(tmp.path, 'null-device')).isCharacterDevice()).toBe(true);
    expect(partials(tmp.path)).toEqual([]);
  });

  it('parquet: never writes into or deletes an evidence folder, even with --overwrite', async () => {
    // The evidence root is tmp/evidence: a Parquet export to tmp would write tmp/evidence/… .
    const before = fingerprint(c.authLog);
    const r = await run('--what', 'timeline', '--format', 'parquet', '-o', tmp.path, '--overwrite');
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/refusing to write .*evidence: it is inside .*given to dwell ingest/);
    expect(fingerprint(c.authLog)).toEqual(before);
    expect(readdirSync(join(c.root, 'web-01')).length).toBe(2);
    expect(existsSync(join(tmp.path, 'events'))).toBe(false);
    expect(partials(tmp.path)).toEqual([]);
  });

  it('parquet: a folder of the same name that dwell did not write is left alone, even with --overwrite', async () => {
    const out = join(tmp.path, 'lake-foreign');
    mkdirSync(join(out, 'evidence'), { recursive: true });
    writeFileSync(join(out, 'evidence', 'disk.img'), 'someone else’s evidence');
    const r = await run('--what', 'timeline', '--format', 'parquet', '-o', out, '--overwrite');
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/lake-foreign\/evidence: it exists and was not written by a dwell export/);
    expect(readFileSync(join(out, 'evidence', 'disk.img'), 'utf8')).toBe('someone else’s evidence');
    expect(readdirSync(out).sort()).toEqual(['evidence']);
  });

  it('parquet: --overwrite removes only the files its manifest lists', async () => {
    const out = join(tmp.path, 'lake');
    let r = await run('--what', 'timeline', '--format', 'parquet', '-o', out);
    expect(r.code, r.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(out, '_dwell-export.json'), 'utf8')) as { manifest: string; files: { path: string }[]; tables: string[] };
    expect(manifest.manifest).toBe('dwell.export-manifest/v1');
    expect(manifest.tables.sort()).toEqual(['attack_events', 'detections', 'events', 'evidence', 'findings']);
    expect(manifest.files.map((f) => f.path)).toContain('evidence/evidence.parquet');
    for (const f of manifest.files) expect(existsSync(join(out, f.path)), f.path).toBe(true);
    writeFileSync(join(out, 'README.txt'), 'notes of the analyst');
    writeFileSync(join(out, 'events', 'analyst-notes.txt'), 'mine');
    r = await run('--what', 'timeline', '--format', 'parquet', '-o', out, '--overwrite', '--host', 'nothing-matches');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/kept 1 file\(s\) in the export folder that dwell did not write: .*analyst-notes\.txt/);
    expect(readFileSync(join(out, 'README.txt'), 'utf8')).toBe('notes of the analyst');
    expect(readFileSync(join(out, 'events', 'analyst-notes.txt'), 'utf8')).toBe('mine');
    expect(readdirSync(join(out, 'events'))).toEqual(['analyst-notes.txt']);
    const again = JSON.parse(readFileSync(join(out, '_dwell-export.json'), 'utf8')) as { files: { path: string }[] };
    for (const f of again.files) expect(existsSync(join(out, f.path)), f.path).toBe(true);
    expect(partials(tmp.path)).toEqual([]);
  });

  it('parquet: refuses --overwrite of an export folder that has no manifest (nothing proves dwell wrote it)', async () => {
    const out = join(tmp.path, 'lake-old');
    mkdirSync(join(out, 'events', 'source=x'), { recursive: true });
    writeFileSync(join(out, 'events', 'source=x', 'data_0.parquet'), 'not ours to delete');
    const r = await run('--what', 'timeline', '--format', 'parquet', '-o', out, '--overwrite');
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/no _dwell-export\.json/);
    expect(readFileSync(join(out, 'events', 'source=x', 'data_0.parquet'), 'utf8')).toBe('not ours to delete');
  });
});

describe('evidence roots', () => {
  it('recovers the folder given to ingest from its argument and a file recorded under it', () => {
    expect(rootOf('ev', 'ev/web-01/auth.log', '/work/case/ev/web-01/auth.log')).toBe('/work/case/ev');
    expect(rootOf('./ev/', 'ev/web-01/auth.log', '/work/case/ev/web-01/auth.log')).toBe('/work/case/ev');
    expect(rootOf('.', 'web-01/auth.log', '/mnt/ev/web-01/auth.log')).toBe('/mnt/ev');
    expect(rootOf('/mnt/ev', '/mnt/ev/web-01/auth.log', '/mnt/ev/web-01/auth.log')).toBe('/mnt/ev');
    expect(rootOf('/', '/mnt/ev/auth.log', '/mnt/ev/auth.log')).toBe('/');
    expect(rootOf('ev/web-01/auth.log', 'ev/web-01/auth.log', '/w/ev/web-01/auth.log')).toBe('/w/ev/web-01/auth.log');
    // Not a prefix (an option value, a sibling with a common prefix): not a root.
    expect(rootOf('UTC', 'ev/web-01/auth.log', '/w/ev/web-01/auth.log')).toBeNull();
    expect(rootOf('ev/web', 'ev/web-01/auth.log', '/w/ev/web-01/auth.log')).toBeNull();
  });

  it('a link to a folder protects that folder, not its parent: ln -s . loop in the evidence still lets an export beside it', async () => {
    const tmp = tempDir('dwell-hostile-roots-');
    try {
      const { root } = writeHostileEvidence(tmp.path);
      symlinkSync('.', join(root, 'loop'));
      mkdirSync(join(tmp.path, 'outside'));
      symlinkSync(join(tmp.path, 'outside'), join(root, 'web-01', 'etc'));
      const casePath = join(tmp.path, 'case.duckdb');
      const r = await dwell(['ingest', '--year', '2026', '-q', '--case', casePath, root]);
      expect(r.code, r.stderr).toBe(0);
      const x = (o: string) => dwell(['export', '--case', casePath, '--what', 'timeline', '--format', 'csv', '-q', '-o', o]);
      // Beside the evidence: allowed (before the fix, the loop's target's parent — this folder — was protected).
      const ok = await x(join(tmp.path, 'timeline.csv'));
      expect(ok.code, ok.stderr).toBe(0);
      // The folders the links lead to stay protected, whole.
      const inLoop = await x(join(root, 'loop-target.csv'));
      expect(inLoop.code).toBe(2);
      const inOutside = await x(join(tmp.path, 'outside', 'x.csv'));
      expect(inOutside.code, inOutside.stderr).toBe(2);
      expect(existsSync(join(tmp.path, 'outside', 'x.csv'))).toBe(false);
    } finally {
      tmp.cleanup();
    }
  });

  it('a folder given to ingest by a relative path is protected whole, wherever dwell export runs from', async () => {
    const tmp = tempDir('dwell-hostile-roots-');
    try {
      writeHostileEvidence(tmp.path);
      const r = await dwell(['ingest', '--year', '2026', '-q', '--case', 'case.duckdb', 'evidence'], { cwd: tmp.path });
      expect(r.code, r.stderr).toBe(0);
      const out = join(tmp.path, 'evidence', 'timeline.csv');
      const x = await dwell(['export', '--case', join(tmp.path, 'case.duckdb'), '--what', 'timeline', '--format', 'csv', '-o', out]);
      expect(x.code, x.stderr).toBe(2);
      expect(x.stderr).toContain(`it is inside ${join(tmp.path, 'evidence')}, which was given to dwell ingest as evidence (run #1)`);
      expect(existsSync(out)).toBe(false);
      const ok = await dwell(['export', '--case', join(tmp.path, 'case.duckdb'), '--what', 'timeline', '--format', 'csv', '-o', join(tmp.path, 'timeline.csv')]);
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stderr).toMatch(/exported \d+ events as timeline csv to .*timeline\.csv/);
    } finally {
      tmp.cleanup();
    }
  });
});

describe('an interrupted export leaves nothing behind', () => {
  let tmp: { path: string; cleanup: () => void };
  let casePath: string;

  beforeAll(async () => {
    tmp = tempDir('dwell-hostile-interrupt-');
    casePath = join(tmp.path, 'big.duckdb');
    // Enough events that the export is still writing when the signal comes.
    const { CaseDb } = await import('../../src/store/case-db.js');
    const db = await CaseDb.open(casePath, { create: true });
    try {
      await db.run(`INSERT INTO evidence (evidence_id, run_id, path, abs_path, sha256, status, ingested_at) VALUES (1, 1, 'synthetic.log', '/nonexistent/synthetic.log', repeat('ab', 32), 'ingested', now())`);
      await db.run(
        `INSERT INTO events (event_id, ts, source, class, action, outcome, host, actor, summary, raw, evidence_id, line)
         SELECT i, TIMESTAMP '2026-01-01' + to_seconds(i), 'auth_log', 'authentication', 'ssh_login', 'success', 'web-01', 'user' || (i % 97), 'event number ' || i || repeat(' padding', 20), repeat('r', 200), 1, i FROM range(400000) t(i)`,
      );
    } finally {
      db.close();
    }
  });
  afterAll(() => tmp?.cleanup());

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`removes its partial file on ${signal}`, async () => {
      const out = join(tmp.path, `out-${signal}.jsonl`);
      const child = spawn(process.execPath, [BIN, 'export', '--case', casePath, '--what', 'timeline', '--format', 'jsonl', '-q', '-o', out], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      let done = false;
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.on('close', (code, sig) => {
          done = true;
          resolve({ code, signal: sig });
        }),
      );
      let seen = false;
      for (let i = 0; i < 2400 && !seen && !done; i++) {
        seen = readdirSync(tmp.path).some((n) => n.startsWith(`out-${signal}.jsonl.partial-`));
        if (!seen) await new Promise((r) => setTimeout(r, 20));
      }
      if (!seen && done) {
        // Finished between two looks (a fast machine): nothing to interrupt, but it must have
        // succeeded and left no partial file behind.
        expect((await exited).code, stderr).toBe(0);
        expect(readdirSync(tmp.path).filter((n) => n.includes('.partial-'))).toEqual([]);
        return;
      }
      expect(seen, `the export never started writing; stderr: ${stderr}`).toBe(true);
      child.kill(signal);
      const end = await exited;
      if (end.code === 0 && end.signal === null) {
        // The export finished before the signal landed (it takes about a second): its file is
        // complete, and no partial may remain.
        expect(readdirSync(tmp.path).filter((n) => n.includes('.partial-'))).toEqual([]);
        return;
      }
      expect(end.signal ?? end.code).toBeTruthy();
      // No partial may remain. A final file may exist only when the signal landed after its rename
      // into place (CI, under load): it must then be the whole export, never a cut one.
      expect(readdirSync(tmp.path).filter((n) => n.startsWith(`out-${signal}`) && n.includes('.partial-'))).toEqual([]);
      if (existsSync(out)) {
        const whole = join(tmp.path, `whole-${signal}.jsonl`);
        const r = await dwell(['export', '--case', casePath, '--what', 'timeline', '--format', 'jsonl', '-q', '-o', whole]);
        expect(r.code, r.stderr).toBe(0);
        expect(readFileSync(out, 'utf8')).toBe(readFileSync(whole, 'utf8'));
      }
    });
  }

  it('a Parquet export removes its staging folder on SIGTERM and leaves the folder as it was', async () => {
    const out = join(tmp.path, 'lake');
    mkdirSync(out);
    writeFileSync(join(out, 'notes.txt'), 'kept');
    const child = spawn(process.execPath, [BIN, 'export', '--case', casePath, '--what', 'timeline', '--format', 'parquet', '-q', '-o', out], { cwd: ROOT, stdio: 'ignore' });
    const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
    let seen = false;
    for (let i = 0; i < 2400 && !seen; i++) {
      seen = readdirSync(out).some((n) => n.startsWith('.dwell-partial-'));
      if (!seen) await new Promise((r) => setTimeout(r, 20));
    }
    expect(seen, 'the export never started writing').toBe(true);
    child.kill('SIGTERM');
    await exited;
    expect(readdirSync(out)).toEqual(['notes.txt']);
  });
});
