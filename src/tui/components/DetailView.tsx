/**
 * Enter: one event in full — every normalized field, attrs as pretty JSON, the raw line, and its
 * provenance: file, line, byte offset, SHA-256 recorded at ingest, whether the file still hashes
 * to it (re-hashed on demand) and whether the bytes at the offset still equal the raw line.
 * Everything from evidence is escaped: the raw line shows `\x1b[2J`, it never clears the screen.
 */
import { Box, Text } from 'ink';
import { safeMultiline, safeText } from '../../core/sanitize.js';
import type { VerifyResult } from '../../store/verify.js';
import type { EventDetail } from '../data/types.js';
import { fit, splitMatches } from '../format.js';
import { formatTs } from '../state/time-input.js';
import { useTheme, type Style, type Theme } from '../themes/theme.js';

export type VerifyState = { state: 'idle' } | { state: 'hashing' } | { state: 'done'; result: VerifyResult; at: number } | { state: 'error'; error: string };
export type BytesState = { state: 'match' | 'differs' | 'unavailable'; detail: string } | null;

export interface DetailLine {
  text: string;
  style?: keyof Pick<Theme, 'title' | 'muted' | 'accent' | 'error' | 'mark'>;
}

function wrap(text: string, width: number, indent = '  '): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (line.length <= width - indent.length) {
      out.push(indent + line);
      continue;
    }
    for (let i = 0; i < line.length; i += width - indent.length) out.push(indent + line.slice(i, i + width - indent.length));
  }
  return out;
}

/** The detail as lines (pure: tested without rendering). */
export function detailLines(d: EventDetail, verify: VerifyState, bytes: BytesState, width: number): DetailLine[] {
  const w = Math.max(20, width);
  const lines: DetailLine[] = [];
  const section = (t: string) => lines.push({ text: '' }, { text: t, style: 'title' });
  lines.push({ text: `event ${d.eventId} · ${formatTs(d.tsUs, 'full')} UTC`, style: 'title' });
  if (d.alert) lines.push({ text: `alert (dwell watch): ${safeText(d.alert.severity.toUpperCase())} · ${safeText(d.alert.matched)}${d.alert.afterContainment ? ' · after containment' : ''} · alerted ${safeText(d.alert.alertedAt)} UTC`, style: 'error' });
  if (d.attack) lines.push({ text: `attack: phase ${safeText(d.attack.phase)}${d.attack.technique ? ` · ${safeText(d.attack.technique)}` : ''}${d.attack.reason ? ` · ${safeText(d.attack.reason)}` : ''}`, style: 'error' });
  if (d.detections && d.detections.length > 0) {
    section('detections');
    for (const x of d.detections) {
      lines.push({ text: `  ${(x.level ?? '-').padEnd(8)} ${safeText(x.title ?? x.ruleId)}${x.author ? ` — ${safeText(x.author)}` : ''}  [${safeText(x.ruleId)}${x.engine !== 'dwell' ? `, ${safeText(x.engine)}` : ''}]`, style: x.level === 'critical' || x.level === 'high' ? 'error' : undefined });
    }
  }
  section('raw');
  for (const l of wrap(safeMultiline(d.raw ?? '(none)'), w)) lines.push({ text: l });
  section('provenance');
  const ev = d.evidence;
  if (!ev) {
    lines.push({ text: '  evidence row missing', style: 'error' });
  } else {
    lines.push({ text: `  file     ${safeText(ev.path)}  (evidence #${ev.evidenceId}, ${safeText(ev.format ?? '?')}, ${safeText(ev.compression ?? '?')})` });
    if (ev.absPath !== ev.path) lines.push({ text: `           ${safeText(ev.absPath)}`, style: 'muted' });
    lines.push({ text: `  line     ${d.line ?? '?'}   byte offset ${d.byteOffset ?? '?'}   length ${d.byteLength ?? '?'}` });
    lines.push({ text: `  sha256   ${ev.sha256 ?? '(not recorded)'}` });
    lines.push(verifyLine(verify));
    if (bytes) lines.push({ text: `  bytes    ${bytes.state === 'match' ? 'MATCH' : bytes.state === 'differs' ? 'DIFFER' : 'not checked'} — ${safeText(bytes.detail)}`, style: bytes.state === 'differs' ? 'error' : bytes.state === 'match' ? 'accent' : 'muted' });
  }
  section('annotations');
  if (d.annotations.length === 0) lines.push({ text: '  none — m marks this event, n adds a note', style: 'muted' });
  for (const a of d.annotations) {
    lines.push({ text: `  ${a.kind === 'note' ? '✎ note' : '● mark'}  ${safeText(a.author)}  ${a.createdAt.replace('T', ' ').slice(0, 19)}${a.pending ? '  ⧗ waiting' : ''}${a.text ? `  ${safeText(a.text)}` : ''}`, style: 'mark' });
  }
  if (d.annotations.some((a) => a.pending)) {
    lines.push({ text: '  ⧗ waiting: kept on disk next to the case (CASE.annotations-pending.jsonl) while another dwell holds it; saved to the case when it is free', style: 'muted' });
  }
  section('fields');
  const keyWidth = Math.max(...d.fields.map(([k]) => k.length), 8) + 2;
  for (const [k, v] of d.fields) {
    const value = safeMultiline(v).split('\n');
    lines.push({ text: `  ${k.padEnd(keyWidth)}${value[0] ?? ''}` });
    for (const more of value.slice(1)) lines.push({ text: `  ${' '.repeat(keyWidth)}${more}` });
  }
  section('attrs');
  const attrs = d.attrs === null || d.attrs === undefined ? 'null' : typeof d.attrs === 'string' ? d.attrs : JSON.stringify(d.attrs, null, 2);
  for (const l of wrap(safeMultiline(attrs), w)) lines.push({ text: l });
  return lines;
}

function verifyLine(v: VerifyState): DetailLine {
  switch (v.state) {
    case 'idle':
      return { text: '  verify   not checked — press v to re-hash the file', style: 'muted' };
    case 'hashing':
      return { text: '  verify   hashing the file…', style: 'accent' };
    case 'error':
      return { text: `  verify   failed: ${safeText(v.error)}`, style: 'error' };
    case 'done': {
      const r = v.result;
      const when = new Date(v.at).toISOString().slice(11, 19);
      if (r.state === 'OK') return { text: `  verify   OK — the file still hashes to the recorded SHA-256 (checked ${when} UTC; v re-checks)`, style: 'accent' };
      return { text: `  verify   ${r.state} — ${safeText(r.detail ?? '')} (checked ${when} UTC)`, style: 'error' };
    }
  }
}

export interface DetailViewProps {
  lines: DetailLine[];
  scroll: number;
  height: number;
  width: number;
  search: string | null;
}

export function DetailView({ lines, scroll, height, width, search }: DetailViewProps) {
  const theme = useTheme();
  const top = Math.max(0, Math.min(scroll, lines.length - height));
  const shown = lines.slice(top, top + height);
  return (
    <Box flexDirection="column" height={height} width={width}>
      {shown.map((l, i) => {
        const style: Style = l.style ? theme[l.style] : {};
        return (
          <Text key={top + i} wrap="truncate" {...style}>
            {splitMatches(fit(l.text, width), search).map((seg, k) =>
              seg.match ? (
                <Text key={k} {...theme.match}>
                  {seg.text}
                </Text>
              ) : (
                seg.text
              ),
            )}
          </Text>
        );
      })}
    </Box>
  );
}

export const DETAIL_HINTS = 'j/k PgUp/PgDn scroll · v re-hash the file · m mark · n note · Esc/q/Enter back';
