/**
 * Spill folders left by readers killed before they closed (kill -9: DuckDB removes its folder only
 * at close) are swept when the case is next opened — only those: a live process's folder, look-alike
 * names, links, files, folders holding anything but DuckDB's temporary files, and other cases'
 * folders stay as they are.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaseDb } from '../../src/store/case-db.js';
import { tempDir } from '../helpers/cli.js';

const tmp = tempDir('dwell-spill-sweep-');
const casePath = join(tmp.path, 'case.duckdb');
let live: ChildProcess;
let dead: number;

/** A folder as DuckDB leaves it: its temporary blocks inside. */
function spillDir(name: string, files = ['duckdb_temp_storage_S32K-0.tmp', 'duckdb_temp_block-4611686018427388000.block']): string {
  const path = join(tmp.path, name);
  mkdirSync(path, { recursive: true });
  for (const f of files) writeFileSync(join(path, f), 'x'.repeat(64));
  return path;
}

beforeAll(async () => {
  (await CaseDb.open(casePath, { create: true })).close();
  // A pid that was a process and is no more.
  const gone = spawnSync(process.execPath, ['-e', '']);
  dead = gone.pid!;
  expect(() => process.kill(dead, 0)).toThrow(/ESRCH/);
  live = spawn('sleep', ['60'], { stdio: 'ignore' });
}, 60_000);

afterAll(() => {
  live?.kill('SIGKILL');
  tmp.cleanup();
});

describe('stale spill folders', () => {
  it('removes the dead process’s folders of this case and keeps everything else', async () => {
    const stale = spillDir(`case.duckdb.tmp-r${dead}-0a1b2c3d`);
    const staleEmpty = spillDir(`case.duckdb.tmp-r${dead}-ffffffff`, []);
    const kept = [
      spillDir(`case.duckdb.tmp-r${live.pid}-0a1b2c3d`), // a live process's
      spillDir(`case.duckdb.tmp-r${process.pid}-0a1b2c3d`), // this process's
      spillDir('case.duckdb.tmp'), // DuckDB's shared default (a writer's)
      spillDir(`case.duckdb.tmp-r${dead}-0a1b2c3`), // look-alikes
      spillDir(`case.duckdb.tmp-r${dead}-0A1B2C3D`),
      spillDir(`case.duckdb.tmp-r${dead}-0a1b2c3d.old`),
      spillDir(`xcase.duckdb.tmp-r${dead}-0a1b2c3d`),
      spillDir(`other.duckdb.tmp-r${dead}-0a1b2c3d`), // another case's
      spillDir(`sub/case.duckdb.tmp-r${dead}-0a1b2c3d`), // not the case's sibling
      spillDir(`case.duckdb.tmp-r${dead}-01234567`, ['duckdb_temp_storage_S32K-0.tmp', 'notes.txt']), // holds something else
    ];
    const file = join(tmp.path, `case.duckdb.tmp-r${dead}-11111111`);
    writeFileSync(file, 'not a folder');
    const target = spillDir('elsewhere');
    const link = join(tmp.path, `case.duckdb.tmp-r${dead}-22222222`);
    symlinkSync(target, link);

    const db = await CaseDb.open(casePath, { readOnly: true });
    db.close();

    expect(existsSync(stale)).toBe(false);
    expect(existsSync(staleEmpty)).toBe(false);
    for (const k of kept) expect(readdirSync(k).length, k).toBeGreaterThan(0);
    expect(lstatSync(file).isFile()).toBe(true);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readdirSync(target)).toHaveLength(2);
  });

  it('a writer’s open sweeps too', async () => {
    const stale = spillDir(`case.duckdb.tmp-r${dead}-33333333`);
    const db = await CaseDb.open(casePath);
    db.close();
    expect(existsSync(stale)).toBe(false);
  });
});
