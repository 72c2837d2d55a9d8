/**
 * The Markdown report of a real (small) case, exported with the CLI: its structure (not its bytes),
 * the evidence manifest against the case, the separate full timeline, and analysts' notes read
 * from the case without re-running correlate.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaseDb } from '../../src/store/case-db.js';
import { query } from '../helpers/case.js';
import { dwell, tempDir } from '../helpers/cli.js';
import { caseWithFindings } from '../export/helpers.js';

const NOTE = 'pivot here <img src=x onerror=alert(1)> [x](http://evil.example)';

describe('the Markdown report', () => {
  const tmp = tempDir();
  let casePath = '';
  let md = '';
  let timeline = '';
  let findings: any;
  beforeAll(async () => {
    casePath = await caseWithFindings(tmp.path);
    const [row] = await query<{ body: string }>(casePath, 'SELECT CAST(body AS VARCHAR) AS body FROM findings ORDER BY findings_id DESC LIMIT 1');
    findings = JSON.parse(row!.body);
    const db = await CaseDb.open(casePath);
    try {
      await db.run(`INSERT INTO annotations VALUES (1, $id, 'note', $text, 'analyst-1', TIMESTAMP '2026-01-05 10:00:00')`, { id: findings.timeline[0].event_id, text: NOTE });
    } finally {
      db.close();
    }
    const out = join(tmp.path, 'report.md');
    const r = await dwell(['export', '--case', casePath, '--what', 'findings', '--format', 'md', '--tlp', 'red', '--case-id', 'IR-2026-007', '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    md = readFileSync(out, 'utf8');
    timeline = readFileSync(join(tmp.path, 'report.timeline.md'), 'utf8');
  }, 300_000);
  afterAll(() => tmp.cleanup());

  it('is titled with the case id and the incident’s dates, and marked with the TLP', () => {
    const first = findings.answers.first_recon_at ?? findings.answers.initial_access_at;
    expect(md.split('\n')[0]).toMatch(new RegExp(`^# Incident report IR-2026-007: ${first.slice(0, 10)}`));
    expect(md.split('\n')[0]).not.toContain(findings.generated_at.slice(0, 10));
    expect(md).toContain('**TLP:RED**');
  });

  it('has the sections in reading order, each with its anchor, and every summary link lands on one', () => {
    const headings = [...md.matchAll(/^## (.+)$/gm)].map((m) => m[1]!.replace(/ \(.*$/, ''));
    expect(headings).toEqual(['Executive summary', 'Answers', 'Key events', 'Phases', 'Back doors', 'Compromised data', 'Exfiltration', 'Credentials to rotate', 'Addresses to block', 'Database queries by the attacker', 'Attacker entities', 'ATT&CK techniques', 'Detections', 'What the evidence could not see', 'Caveats', "Analysts' notes", 'Evidence manifest', 'Full timeline']);
    const anchors = new Set([...md.matchAll(/<a id="([a-z-]+)"><\/a>/g)].map((m) => m[1]));
    const links = [...md.matchAll(/\]\(#([a-z-]+)\)/g)].map((m) => m[1]);
    expect(links.length).toBeGreaterThan(3);
    for (const l of links) expect(anchors).toContain(l);
  });

  it('keeps the executive summary to at most 15 lines and the key events to at most 30 rows', () => {
    const summary = md.split('## Executive summary\n')[1]!.split('\n<a id=')[0]!.trim().split('\n');
    expect(summary.length).toBeGreaterThan(3);
    expect(summary.length).toBeLessThanOrEqual(15);
    const keys = md.split('## Key events')[1]!.split('\n<a id=')[0]!.split('\n').filter((l) => l.startsWith('| 20'));
    expect(keys.length).toBeGreaterThan(2);
    expect(keys.length).toBeLessThanOrEqual(30);
    expect(keys.some((l) => l.includes('| initial access |'))).toBe(true);
  });

  it('lists every evidence file with the SHA-256 recorded at ingest, its size and its events', async () => {
    const files = await query<{ path: string; sha256: string; events: number }>(casePath, 'SELECT path, sha256, events FROM evidence ORDER BY path');
    const section = md.split('## Evidence manifest')[1]!.split('\n<a id=')[0]!;
    const rows = section.split('\n').filter((l) => /^\| .* \| [0-9a-f]{64} \|/.test(l));
    expect(rows).toHaveLength(files.length);
    for (const f of files) {
      const row = rows.find((r) => r.includes(f.sha256));
      expect(row, f.path).toBeDefined();
      expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(row).toContain(`| ${Number(f.events).toLocaleString('en-US')} |`);
    }
  });

  it('writes the full attacker timeline to a separate file, linked from the report', () => {
    expect(md).toContain('[report.timeline.md](report.timeline.md)');
    const rows = timeline.split('\n').filter((l) => l.startsWith('| 20'));
    expect(rows).toHaveLength(findings.timeline.length);
    expect(md.split('\n').filter((l) => l.startsWith('| 20')).length).toBeLessThan(findings.timeline.length + 1);
  });

  it('shows an analyst’s note added after correlate, inert', () => {
    const notes = md.split("## Analysts' notes")[1]!.split('\n<a id=')[0]!;
    expect(notes).toContain('analyst-1');
    expect(notes).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(notes).not.toContain('<img');
    expect(notes).toContain('\\[x\\](http&#58;//evil.example)');
  });

  it('to standard output writes no timeline file and says how to get it', async () => {
    const r = await dwell(['export', '--case', casePath, '--what', 'findings', '--format', 'md']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('dwell export --what attack --format csv');
    expect(existsSync(join(tmp.path, 'case.timeline.md'))).toBe(false);
  });
});
