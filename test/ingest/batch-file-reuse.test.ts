import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BatchFile, spareBuffers, type BatchFileInfo } from '../../src/ingest/batch-file.js';

const dir = mkdtempSync(join(tmpdir(), 'dwell-batch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// An odd size no other test in the process uses, so the spare count is this test's own.
const SIZE = 4096 + 17;

describe('BatchFile buffer reuse', () => {
  it('gives its buffer to the next batch file of the thread once released, and the next writes its own rows', () => {
    const written: BatchFileInfo[] = [];
    const a = new BatchFile(dir, 'a', (b) => written.push(b), SIZE);
    a.add('{"x":1}\n');
    a.add('{"x":2}\n');
    a.cut();
    expect(spareBuffers(SIZE)).toBe(0);
    a.release();
    expect(spareBuffers(SIZE)).toBe(1);

    const b = new BatchFile(dir, 'b', (info) => written.push(info), SIZE);
    expect(spareBuffers(SIZE)).toBe(0); // taken, not a new allocation
    b.add('{"y":3}\n');
    b.cut();
    b.release();
    expect(written.map((w) => readFileSync(w.file, 'utf8'))).toEqual(['{"x":1}\n{"x":2}\n', '{"y":3}\n']);
    expect(written.map((w) => w.count)).toEqual([2, 1]);
  });

  it('two batch files open at once never share a buffer', () => {
    const out: string[] = [];
    const a = new BatchFile(dir, 'c', (info) => out.push(readFileSync(info.file, 'utf8')), SIZE);
    const b = new BatchFile(dir, 'd', (info) => out.push(readFileSync(info.file, 'utf8')), SIZE);
    a.add('aaaa\n');
    b.add('bbbb\n');
    a.cut();
    b.cut();
    expect(out).toEqual(['aaaa\n', 'bbbb\n']);
    a.release();
    b.release();
  });

  it('refuses to release rows not yet written, and to be used after release', () => {
    const a = new BatchFile(dir, 'e', () => {}, SIZE);
    a.add('row\n');
    expect(() => a.release()).toThrow(/not yet written/);
    a.cut();
    a.release();
    expect(() => a.add('late\n')).toThrow(/after release/);
  });
});
