/** What correlate shows while it works: a status line on a terminal, the seeds always. */
import { describe, expect, it } from 'vitest';
import { correlateProgress } from '../../src/cli/correlate-progress.js';

function stream(isTTY: boolean) {
  const out: string[] = [];
  return { out, s: { isTTY, write: (t: string) => (out.push(t), true) } as unknown as NodeJS.WriteStream };
}
const seedsStep = { step: 'seeds' as const, used: [{ seed: { kind: 'ip' as const, value: '203.0.113.7', host: null }, reason: 'given', matched: 12 }], setAside: [{ seed: { kind: 'ip' as const, value: '192.0.2.1\x1b[31m', host: null }, reason: "it is the owner's" }] };

describe('correlate progress', () => {
  it('on a terminal: rewrites one status line per step and prints the seeds, escaped', () => {
    const { out, s } = stream(true);
    const p = correlateProgress(s);
    p({ step: 'rules', done: 0, total: 31, rule: 'access.ssh_bruteforce' });
    p(seedsStep);
    p({ step: 'hosts' });
    p({ step: 'store' });
    const text = out.join('');
    expect(text).toContain('\r\x1b[Kcorrelate: rule 1/31 access.ssh_bruteforce');
    expect(text).toContain('seed ip:203.0.113.7: given (12 event(s))\n');
    expect(text).toContain("not used: ip:192.0.2.1\\x1b[31m: it is the owner's\n");
    expect(text).toContain('correlate: learning hosts');
    expect(text.endsWith('\r\x1b[K')).toBe(true);
  });

  it('in a pipe: no status line, the seeds still', () => {
    const { out, s } = stream(false);
    const p = correlateProgress(s);
    p({ step: 'rules', done: 0, total: 31, rule: 'x' });
    p({ step: 'footprint', entities: 3, events: 9 });
    p(seedsStep);
    expect(out.join('')).toBe("seed ip:203.0.113.7: given (12 event(s))\nnot used: ip:192.0.2.1\\x1b[31m: it is the owner's\n");
  });
});
