/**
 * MySQL Enterprise Audit and Percona audit_log records in XML, one `<AUDIT_RECORD>` over one or
 * several lines (MySQL docs "Audit Log File Formats"; Percona "Audit Log Filter format"):
 *
 * - new-style (`audit_log_format=NEW`, MySQL 5.7+ default): child elements,
 *   `<AUDIT_RECORD><TIMESTAMP>2019-10-03T14:06:33 UTC</TIMESTAMP><NAME>Query</NAME>…</AUDIT_RECORD>`;
 * - old-style (`audit_log_format=OLD`, Percona's default): attributes,
 *   `<AUDIT_RECORD TIMESTAMP="…" NAME="Query" … />`.
 *
 * Both carry the fields Percona's JSON format has (lower-cased: name, timestamp, connection_id,
 * status, user, host, ip, db, command_class, sqltext…), so a record is handed to the same reader.
 * Pure functions: the handler finds where a record starts and ends, line by line.
 */

const ELEMENT = /<([A-Z_]+)>([\s\S]*?)<\/\1>/g;
const ATTRIBUTE = /([A-Z_]+)="([^"]*)"/g;

/** XML character references and the five predefined entities. */
export function xmlText(s: string): string {
  if (s.indexOf('&') < 0) return s;
  return s.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_, e: string) => {
    switch (e) {
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'amp':
        return '&';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
      default: {
        const code = e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
        return code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : `&${e};`;
      }
    }
  });
}

export type XmlStyle = 'new' | 'old';

/** Whether a line opens an audit record: its style, and whether it is closed on the same line. */
export function recordStart(t: string): { style: XmlStyle; closed: boolean } | null {
  if (!t.startsWith('<AUDIT_RECORD')) return null;
  const c = t.charCodeAt(13);
  if (!(Number.isNaN(c) || c === 62 || c === 32 || c === 9)) return null; // `>`, whitespace or the end of the line
  const style: XmlStyle = c === 62 ? 'new' : 'old';
  return { style, closed: recordEnd(t, style) };
}

/**
 * Whether a line ends a record: `</AUDIT_RECORD>` in the new style (whose empty elements end with
 * `/>` too: `<OS_LOGIN/>`), `/>` in the old style (values escape `>`, so only the record ends so).
 */
export function recordEnd(t: string, style: XmlStyle): boolean {
  return style === 'new' ? t.includes('</AUDIT_RECORD>') : t.endsWith('/>');
}

/** The fields of one record's text, keys lower-cased (`RECORD_ID` → `record`, as in Percona's JSON). */
export function auditXmlFields(xml: string): { fields: Record<string, string>; style: XmlStyle } {
  const fields: Record<string, string> = {};
  const inner = xml.replace(/^\s*<AUDIT_RECORD/, '');
  const style = /^\s*>/.test(inner) ? 'new' : 'old';
  const re = style === 'new' ? ELEMENT : ATTRIBUTE;
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(inner)) !== null) {
    const key = m[1]!.toLowerCase();
    fields[key === 'record_id' ? 'record' : key] = xmlText(m[2]!.trim());
  }
  return { fields, style };
}
