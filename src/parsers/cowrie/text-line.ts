/**
 * Lines of Cowrie's Twisted text log (`var/log/cowrie/cowrie.log`) → the eventid and fields the
 * JSON log gives for the same happening, so cowrie/events.ts maps both alike:
 *
 *   2024-01-10T02:02:07.441556Z [HoneyPotSSHTransport,107,203.0.113.50] login attempt [b'root'/b'123456'] succeeded
 *
 * The bracket is Twisted's log context: for a connection, the transport class, Twisted's connection
 * number and the client address. The text log names Cowrie's session id only on the connect line,
 * so later lines of a connection are keyed by the transport number. Lines Cowrie logs without an
 * eventid ("login attempt: 3", "Command found: …") are `cowrie.text.*`.
 */

export interface TextRecord {
  eventid: string;
  /** Cowrie's session id (connect lines only). */
  session: string | null;
  /** `transport:N` for lines of a connection. */
  stateKey: string | null;
  src_ip: string | null;
  fields: Record<string, unknown>;
}

/** `TIME [context] message`; the time is ISO 8601 (Cowrie ≥ 2.0) or Twisted's older `2018-01-21 22:35:42+0000`. */
export const TEXT_LINE = /^(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:?\d\d)?) \[([^\]\r\n]*)\] (.*)$/s;
const TRANSPORT = /(Transport|TelnetProtocol|Telnet[A-Za-z]*),(\d+),([0-9A-Fa-f:.]+)$/;
const NEW_CONNECTION = /^New connection: ([0-9A-Fa-f:.]+):(\d+) \(([0-9A-Fa-f:.]+):(\d+)\) \[session: ([^\]\s]+)\]$/;
const LOGIN = /^login attempt \[(.*)\] (succeeded|failed)$/s;
const LOST = /^Connection lost after (\d+(?:\.\d+)?) seconds?$/;
const DOWNLOADED = /^Downloaded URL \((\S+)\) with SHA-256 ([0-9a-f]{64}) to (\S+)$/;
const DOWNLOAD_FAILED = /^Attempt to download file\(s\) from URL \((\S+)\) failed$/;
const REMOTE_ERROR = /^Got remote error, code (\d+) reason: (.*)$/s;

/** Reads one text-log message in its context; null when the line is not Cowrie's text log. */
export function readTextLine(context: string, message: string): TextRecord {
  const t = TRANSPORT.exec(context);
  const src = t ? t[3]! : null;
  const stateKey = t ? `transport:${t[2]}` : null;
  const telnet = /telnet/i.test(context);
  const rec = (eventid: string, fields: Record<string, unknown>, session: string | null = null): TextRecord => ({
    eventid, session, stateKey, src_ip: src, fields: { ...fields, message, log_context: context, ...(t ? { transport: Number(t[2]) } : {}) },
  });
  let m = NEW_CONNECTION.exec(message);
  if (m) {
    // The connect line carries Cowrie's session id and both ends; its context is the factory.
    return { eventid: 'cowrie.session.connect', session: m[5]!, stateKey: null, src_ip: m[1]!, fields: { src_port: Number(m[2]), dst_ip: m[3], dst_port: Number(m[4]), protocol: telnet ? 'telnet' : 'ssh', message, log_context: context } };
  }
  m = LOGIN.exec(message);
  if (m) {
    const creds = splitCredentials(m[1]!);
    return rec(m[2] === 'succeeded' ? 'cowrie.login.success' : 'cowrie.login.failed', creds ?? { credentials: m[1] });
  }
  if (message.startsWith('CMD: ')) return rec('cowrie.command.input', { input: message.slice(5) });
  if (message.startsWith('Command not found: ')) return rec('cowrie.command.failed', { input: message.slice(19) });
  if (message.startsWith('Command found: ')) return rec('cowrie.text.command_found', { input: message.slice(15) });
  if (message.startsWith('Remote SSH version: ')) return rec('cowrie.client.version', { version: message.slice(20) });
  if (message.startsWith('SSH client hassh fingerprint: ')) return rec('cowrie.client.kex', { hassh: message.slice(30) });
  if (message.startsWith('Initialized emulated server as architecture: ')) return rec('cowrie.session.params', { arch: message.slice(45) });
  m = LOST.exec(message);
  if (m) return rec('cowrie.session.closed', { duration: Number(m[1]) });
  m = DOWNLOADED.exec(message);
  if (m) return rec('cowrie.session.file_download', { url: m[1], shasum: m[2], outfile: m[3] });
  m = DOWNLOAD_FAILED.exec(message);
  if (m) return rec('cowrie.session.file_download.failed', { url: m[1] });
  m = REMOTE_ERROR.exec(message);
  if (m) return rec('cowrie.text.remote_error', { code: Number(m[1]), reason: m[2] });
  return rec('cowrie.text.message', {});
}

/**
 * `b'root'/b'123456'` (Python bytes reprs, Cowrie ≥ 2.0) or `root/123456` (older): user and
 * password, or null when the text is neither.
 */
export function splitCredentials(text: string): { username: string; password: string } | null {
  if (text.startsWith("b'") || text.startsWith('b"')) {
    const user = readBytesRepr(text, 0);
    if (!user || text.charCodeAt(user.end) !== 47 /* / */) return null;
    const pass = readBytesRepr(text, user.end + 1);
    if (!pass || pass.end !== text.length) return null;
    return { username: user.value, password: pass.value };
  }
  const slash = text.indexOf('/');
  return slash < 0 ? null : { username: text.slice(0, slash), password: text.slice(slash + 1) };
}

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\', "'": "'", '"': '"', '0': '\0' };

/** A Python bytes repr starting at `at` (`b'…'` or `b"…"`): its text (bytes as Latin-1 code points for \xNN) and where it ends. */
function readBytesRepr(text: string, at: number): { value: string; end: number } | null {
  if (text[at] !== 'b') return null;
  const q = text[at + 1];
  if (q !== "'" && q !== '"') return null;
  let out = '';
  for (let i = at + 2; i < text.length; i++) {
    const c = text[i]!;
    if (c === q) return { value: out, end: i + 1 };
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = text[i + 1];
    if (n === 'x' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 2, i + 4))) {
      out += String.fromCharCode(parseInt(text.slice(i + 2, i + 4), 16));
      i += 3;
    } else if (n !== undefined && n in ESCAPES) {
      out += ESCAPES[n];
      i++;
    } else out += c;
  }
  return null;
}
