/**
 * The entity graph: addresses, accounts (local users, IAM principals, database roles), keys and
 * hosts in three columns (where from → who → where to), linked as the attacker timeline links them
 * (an address logging in to a host, an account acting on a host, a key or address used by a cloud
 * identity). At most 16 nodes per column and 80 links, the strongest kept; each link's width
 * grows with its events.
 */
import type { Findings } from '../../correlate/findings-types.js';
import { esc, label, svgOpen } from './common.js';

const PER_COLUMN = 16;
const MAX_LINKS = 80;
type Col = 0 | 1 | 2;

function columnOf(kind: string): Col | null {
  if (kind === 'ip') return 0;
  if (kind === 'local_user' || kind === 'iam_principal' || kind === 'db_role' || kind === 'access_key') return 1;
  if (kind === 'host') return 2;
  return null;
}

export function entityGraph(f: Findings): string {
  const kinds = new Map<string, Col>();
  for (const e of f.entities ?? []) {
    const c = columnOf(e.kind);
    if (c !== null) kinds.set(`${c}|${e.value}`, c);
  }
  const links = new Map<string, number>();
  const add = (a: string | null, ca: Col, b: string | null, cb: Col) => {
    if (!a || !b || !kinds.has(`${ca}|${a}`) || !kinds.has(`${cb}|${b}`)) return;
    const k = `${ca}|${a}\u0000${cb}|${b}`;
    links.set(k, (links.get(k) ?? 0) + 1);
  };
  for (const t of f.timeline ?? []) {
    add(t.src_ip, 0, t.actor, 1);
    add(t.actor, 1, t.host, 2);
    if (!t.actor) add(t.src_ip, 0, t.host, 2);
  }
  const top = [...links.entries()].sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0])).slice(0, MAX_LINKS);
  const weight = new Map<string, number>();
  for (const [k, n] of top) for (const end of k.split('\u0000')) weight.set(end, (weight.get(end) ?? 0) + n);
  for (const k of kinds.keys()) if (!weight.has(k)) weight.set(k, 0);
  const cols: string[][] = [[], [], []];
  for (const [k, n] of [...weight.entries()].sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0]))) {
    const c = Number(k[0]) as Col;
    if (cols[c]!.length < PER_COLUMN) cols[c]!.push(k);
    void n;
  }
  const rows = Math.max(1, ...cols.map((c) => c.length));
  const W = 960;
  const rowH = 26;
  const H = 40 + rows * rowH;
  const X = [150, 480, 810];
  const pos = new Map<string, { x: number; y: number }>();
  cols.forEach((c, ci) => c.forEach((k, i) => pos.set(k, { x: X[ci]!, y: 34 + i * rowH + ((rows - c.length) * rowH) / 2 })));
  const out = [svgOpen(W, H, 'Attacker entities and how they are linked')];
  ['addresses', 'accounts and keys', 'hosts'].forEach((h, i) => out.push(`<text x="${X[i]}" y="14" font-size="12" font-weight="600" text-anchor="middle" fill="#333">${h}</text>`));
  const maxN = Math.max(1, ...top.map(([, n]) => n));
  for (const [k, n] of top) {
    const [a, b] = k.split('\u0000') as [string, string];
    const pa = pos.get(a);
    const pb = pos.get(b);
    if (!pa || !pb) continue;
    const mx = (pa.x + pb.x) / 2;
    out.push(`<path class="link" d="M${pa.x + 70} ${pa.y} C${mx} ${pa.y} ${mx} ${pb.y} ${pb.x - 70} ${pb.y}" fill="none" stroke="#999" stroke-opacity="0.7" stroke-width="${(1 + (3 * n) / maxN).toFixed(1)}"><title>${n} event(s)</title></path>`);
  }
  for (const [k, p] of pos) {
    const value = k.slice(2);
    out.push(`<rect class="node" x="${p.x - 70}" y="${p.y - 10}" width="140" height="20" rx="4" fill="#fff" stroke="#555"/><text x="${p.x}" y="${p.y + 4}" font-size="10" text-anchor="middle" fill="#111">${label(value.replace(/^arn:aws[\w-]*:(iam|sts)::\d+:/, ''), 24)}<title>${esc(value)}</title></text>`);
  }
  out.push('</svg>');
  return out.join('');
}
