/**
 * One JSON object per line (eve.json, Zeek JSON logs): the object, or the reason the line is a
 * warning instead. `t` is the trimmed line; `layout` says what the file should hold.
 */
export function parseJsonObjectLine<T extends object = Record<string, unknown>>(t: string, layout: string): { rec: T } | { reason: string } {
  if (t.charCodeAt(0) !== 123) return { reason: `not a JSON object (${layout})` };
  let rec: unknown;
  try {
    rec = JSON.parse(t);
  } catch (err) {
    return { reason: `invalid JSON: ${(err as Error).message} (truncated line?)` };
  }
  if (rec === null || typeof rec !== 'object' || Array.isArray(rec)) return { reason: 'not a JSON object' };
  return { rec: rec as T };
}
