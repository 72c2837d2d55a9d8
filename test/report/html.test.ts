/**
 * The HTML report: one self-contained file (no script, nothing fetched), the same sections as the
 * Markdown, evidence text inert in HTML and inline SVG (a user name `<img src=x onerror=alert(1)>`,
 * a command with `</svg><script>`), and drawn: headless Chromium renders it and the screenshot holds
 * the phase colours. Chromium is installed by .ci/run; where it is missing the test says it skipped.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PHASE_COLORS } from '../../src/report/svg/common.js';
import { dwell, tempDir } from '../helpers/cli.js';
import { countColor, readPng } from '../helpers/png.js';

const IMG = '<img src=x onerror=alert(1)>';
const SVG_BREAK = "</svg><script>alert('svg')</script>";
const CHROMIUM = ['chromium', 'chromium-browser', 'google-chrome'].find((c) => spawnSync(c, ['--version']).status === 0);

/** Tags dwell writes in the report; anything else came from evidence. */
const OWN_TAGS = new Set(['html', 'head', 'meta', 'title', 'style', 'body', 'p', 'span', 'h1', 'h2', 'section', 'ul', 'li', 'a', 'strong', 'em', 'code', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'figure', 'figcaption', 'i', 'svg', 'rect', 'text', 'line', 'path', 'g']);

function hostileEvidence(dir: string): string {
  const ev = join(dir, 'evidence', 'web-01');
  mkdirSync(ev, { recursive: true });
  const lines: string[] = [];
  for (let i = 0; i < 12; i++) lines.push(`Jan  3 10:00:${String(i).padStart(2, '0')} web-01 sshd[${100 + i}]: Failed password for invalid user admin from 198.51.100.66 port ${40000 + i} ssh2`);
  lines.push(`Jan  3 10:00:30 web-01 sshd[200]: Accepted password for ${IMG} from 198.51.100.66 port 41000 ssh2`);
  lines.push('Jan  3 10:00:31 web-01 sshd[201]: Accepted password for deploy from 198.51.100.66 port 41001 ssh2');
  lines.push(`Jan  3 10:00:40 web-01 sudo:   deploy : TTY=pts/0 ; PWD=/home/deploy ; USER=root ; COMMAND=/bin/echo ${SVG_BREAK}`);
  lines.push('Jan  3 10:00:50 web-01 useradd[300]: new user: name=sysupdate, UID=1001, GID=1001, home=/home/sysupdate, shell=/bin/bash');
  writeFileSync(join(ev, 'auth.log'), lines.join('\n') + '\n');
  return join(dir, 'evidence');
}

describe('the HTML report', () => {
  const tmp = tempDir('dwell-html-');
  const out = join(tmp.path, 'report.html');
  let html = '';
  beforeAll(async () => {
    const casePath = join(tmp.path, 'case.duckdb');
    let r = await dwell(['ingest', '-q', '--year', '2026', '--case', casePath, hostileEvidence(tmp.path)]);
    expect([0, 1], r.stderr).toContain(r.code);
    r = await dwell(['correlate', '--case', casePath, '--seed', 'ip:198.51.100.66', '--detected-at', '2026-01-03T11:00:00Z', '--contained-at', '2026-01-03T12:00:00Z']);
    expect(r.code, r.stderr).toBe(0);
    r = await dwell(['export', '--case', casePath, '--what', 'findings', '--format', 'html', '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    html = readFileSync(out, 'utf8');
  }, 300_000);
  afterAll(() => tmp.cleanup());

  it('is one self-contained file: no script, nothing fetched, a policy that forbids both', () => {
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
    expect(html).not.toMatch(/<script|<link|<iframe|<object|<embed|@import|url\(/i);
    const refs = [...html.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((m) => m[1]!);
    for (const ref of refs) expect(ref).toMatch(/^(#[a-z-]+|report\.timeline\.md)$/);
  });

  it('draws the phase diagram, density, entity graph and ATT&CK matrix as SVG, with the sections of the Markdown report', () => {
    expect((html.match(/<svg /g) ?? []).length).toBeGreaterThanOrEqual(4);
    expect((html.match(/<svg /g) ?? []).length).toBe((html.match(/<\/svg>/g) ?? []).length);
    expect(html).toMatch(/<rect class="act" [^>]*fill="#f28e2b"/);
    expect(html).toMatch(/<rect class="attacker" /);
    expect(html).toMatch(/<rect class="node" /);
    expect(html).toMatch(/<rect class="technique" /);
    for (const id of ['executive-summary', 'answers', 'key-events', 'back-doors', 'caveats', 'evidence-manifest', 'full-timeline']) expect(html).toContain(`<section id="${id}">`);
    expect(html).toContain('TLP:AMBER');
  });

  it('keeps attacker text inert in HTML and SVG: only dwell’s own tags, the names shown as text', () => {
    const tags = new Set([...html.matchAll(/<([a-zA-Z][a-zA-Z0-9]*)\b/g)].map((m) => m[1]!.toLowerCase()));
    expect([...tags].filter((t) => !OWN_TAGS.has(t))).toEqual([]);
    expect(html).not.toMatch(/<[^>]*\sonerror=/i);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&lt;/svg&gt;&lt;script&gt;');
  });

  it('renders in headless Chromium with the phase diagram drawn (skipped, saying so, without Chromium)', (t) => {
    if (!CHROMIUM) {
      console.warn('html report: no chromium on this machine (.ci/run installs Debian’s chromium); the rendering check is skipped');
      return t.skip();
    }
    const shot = join(tmp.path, 'shot.png');
    const r = spawnSync(
      CHROMIUM,
      ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', `--user-data-dir=${join(tmp.path, 'chrome')}`, `--screenshot=${shot}`, '--window-size=1100,1400', pathToFileURL(out).href],
      { encoding: 'utf8', timeout: 120_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    const img = readPng(readFileSync(shot));
    expect(img.width).toBe(1100);
    // The phase bands (access, actions) and the attacker's density bars are on the first screen.
    expect(countColor(img, PHASE_COLORS.access!)).toBeGreaterThan(20);
    expect(countColor(img, '#d62728')).toBeGreaterThan(5);
  }, 180_000);
});
