/**
 * CSV records as PostgreSQL's csvlog and pgaudit write them: comma-separated, fields quoted with
 * `"` when needed, `""` for a quote, newlines allowed inside quotes. Pure functions over text
 * already split into records (the record boundaries are found by quote parity, line by line).
 */

/** Number of `"` characters in `s` (a record is complete when the running count is even). */
export function quoteCount(s: string): number {
  let n = 0;
  let i = s.indexOf('"');
  while (i >= 0) {
    n++;
    i = s.indexOf('"', i + 1);
  }
  return n;
}

/** Splits one record into fields (unquoted, `""` → `"`); `complete` is false when a quote is left open. */
export function splitCsv(text: string): { fields: string[]; complete: boolean } {
  const fields: string[] = [];
  const n = text.length;
  let i = 0;
  for (;;) {
    if (i < n && text.charCodeAt(i) === 34) {
      let value = '';
      let from = i + 1;
      let j = from;
      let closed = false;
      while (j < n) {
        const q = text.indexOf('"', j);
        if (q < 0) {
          j = n;
          break;
        }
        if (text.charCodeAt(q + 1) === 34) {
          value += text.slice(from, q + 1);
          j = q + 2;
          from = j;
          continue;
        }
        value += text.slice(from, q);
        j = q + 1;
        closed = true;
        break;
      }
      if (!closed) {
        fields.push(value + text.slice(from));
        return { fields, complete: false };
      }
      // Anything between the closing quote and the next comma is kept (malformed but not lost).
      const comma = text.indexOf(',', j);
      if (comma < 0) {
        fields.push(value + text.slice(j));
        return { fields, complete: true };
      }
      fields.push(value + text.slice(j, comma));
      i = comma + 1;
    } else {
      const comma = text.indexOf(',', i);
      if (comma < 0) {
        fields.push(text.slice(i));
        return { fields, complete: true };
      }
      fields.push(text.slice(i, comma));
      i = comma + 1;
    }
  }
}
