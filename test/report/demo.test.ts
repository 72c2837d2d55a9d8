/**
 * `dwell demo` ends by naming the HTML report it wrote (issue 16), and that report tells the demo
 * breach's story (golden structure, not bytes): the key events hold the brute-force access, the back
 * doors and the use after containment; the summary links each count to its section.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sharedDemo } from '../helpers/shared-cases.js';

describe('dwell demo and its report', () => {
  let dir = '';
  let stdout = '';
  let html = '';
  beforeAll(async () => {
    // The run's one demo (small background volume: the attack is the same at any scale), read only.
    const demo = await sharedDemo();
    expect(demo.run.code, demo.run.stderr).toBe(0);
    dir = demo.dir;
    stdout = demo.run.stdout;
    html = readFileSync(join(dir, 'report.html'), 'utf8');
  }, 900_000);

  it('ends by naming the HTML report, written next to the case with its full timeline', () => {
    const last = stdout.trimEnd().split('\n').pop()!;
    expect(last).toContain(`The report: ${join(dir, 'report.html')}`);
    expect(existsSync(join(dir, 'report.timeline.md'))).toBe(true);
  });

  it('tells the demo breach: brute-force access, back doors, use after containment, exfiltration', () => {
    const keys = html.split('<section id="key-events">')[1]!.split('</section>')[0]!;
    for (const kind of ['first recon', 'initial access', 'privilege change', 'back door', 'data access', 'exfiltration', 'detection', 'containment', 'use after containment']) expect(keys, kind).toContain(`<td>${kind}</td>`);
    expect(keys).toContain('ssh password brute force of deploy@bastion-01');
    expect((keys.match(/<tr>/g) ?? []).length - 1).toBeLessThanOrEqual(30);
    const summary = html.split('<ul class="summary">')[1]!.split('</ul>')[0]!;
    // The counts are the demo's own ground truth (the generator writes expected.json next to the case).
    const truth = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as { backdoors: unknown[]; exfiltration: unknown[] };
    expect(summary).toContain(`<a href="#back-doors">${truth.backdoors.length} back doors</a>`);
    expect(summary).toContain('USED AFTER CONTAINMENT');
    expect(summary).toMatch(new RegExp(`<a href="#exfiltration">[\\d.]+ MiB sent to ${truth.exfiltration.length} destinations</a>`));
  });
});
