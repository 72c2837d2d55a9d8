/**
 * Which parser claims a file, and why: every parser looks at the first 64 KiB (decompressed)
 * and states a confidence; the most confident claim of at least MIN_CONFIDENCE wins.
 */
import { basename } from 'node:path';
import { PARSERS } from '../parsers/registry.js';
import type { SniffHead, SniffMatch, SourceParser } from '../parsers/types.js';

export const SNIFF_BYTES = 64 * 1024;
export const MIN_CONFIDENCE = 20;
const MAX_HEAD_LINES = 50;

export interface SniffCandidate {
  parser: SourceParser;
  match: SniffMatch;
}

export interface SniffResult {
  /** The winner, or null when no parser claims the file. */
  winner: SniffCandidate | null;
  /** Every claim, most confident first (including those below the threshold). */
  candidates: SniffCandidate[];
  /** Why nobody claimed it, for the report. */
  reason: string;
}

/** Name used for sniffing: the base name without compression suffixes (auth.log.2.gz → auth.log.2). */
export function sniffName(path: string): string {
  return basename(path).replace(/\.(gz|bz2|xz)$/i, '');
}

export function makeHead(path: string, head: Buffer): SniffHead {
  const text = head.subarray(0, SNIFF_BYTES).toString('utf8').replace(/^\uFEFF/, '');
  const lines = text.split('\n', MAX_HEAD_LINES + 1).slice(0, MAX_HEAD_LINES).map((l) => l.replace(/\r$/, ''));
  return { name: sniffName(path), path, text, lines };
}

export function sniff(head: SniffHead, parsers: readonly SourceParser[] = PARSERS): SniffResult {
  const candidates: SniffCandidate[] = [];
  for (const parser of parsers) {
    let match: SniffMatch | null = null;
    try {
      match = parser.sniff(head);
    } catch (err) {
      match = null;
      void err;
    }
    if (match) candidates.push({ parser, match });
  }
  candidates.sort((a, b) => b.match.confidence - a.match.confidence);
  const best = candidates[0];
  const winner = best && best.match.confidence >= MIN_CONFIDENCE ? best : null;
  return { winner, candidates, reason: winner ? winner.match.reason : describeUnclaimed(head) };
}

function describeUnclaimed(head: SniffHead): string {
  if (head.text.length === 0) return 'empty file';
  const sample = head.text.slice(0, 4096);
  let control = 0;
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13) || c === 0xfffd) control++;
  }
  if (control / sample.length > 0.1) return 'binary data (not text)';
  return 'text, but no parser recognizes its first lines';
}
