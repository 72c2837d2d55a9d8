/** The compromised-data findings as CSV, one row per item. */
import type { Findings } from '../correlate/findings-types.js';
import { csvLine } from './csv.js';

export const COMPROMISED_COLUMNS = ['kind', 'value', 'host', 'access', 'rows', 'bytes', 'first', 'last', 'event_ids'] as const;

export function renderCompromisedCsv(f: Findings): string {
  let out = csvLine([...COMPROMISED_COLUMNS]);
  for (const c of f.compromised_data ?? []) out += csvLine(COMPROMISED_COLUMNS.map((k) => c[k]));
  return out;
}
