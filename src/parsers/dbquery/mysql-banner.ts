/**
 * The banner mysqld writes at the top of its general and slow logs (again at each restart):
 *
 *     /usr/sbin/mysqld, Version: 8.0.36 (MySQL Community Server - GPL). started with:
 *     Tcp port: 3306  Unix socket: /var/run/mysqld/mysqld.sock
 *     Time                 Id Command    Argument
 *
 * Read with indexOf rather than `^\S.*, Version: .*started with:\s*$`, which re-scanned the rest
 * of a line from every `, Version: ` in it (quadratic in an attacker-written line).
 */

const VERSION = ', Version: ';
const STARTED = 'started with:';

/** The first banner line. */
export function isBannerLine(text: string): boolean {
  const c = text.charCodeAt(0);
  if (text.length === 0 || c === 32 || c === 9 || c === 10 || c === 13) return false;
  const v = text.indexOf(VERSION, 1);
  if (v < 0) return false;
  const t = text.trimEnd();
  return t.endsWith(STARTED) && t.length - STARTED.length >= v + VERSION.length;
}

/** The version the banner names (`8.0.36 (MySQL Community Server - GPL)`), or null. */
export function bannerVersion(text: string): string | null {
  const v = text.indexOf(VERSION);
  if (v < 0) return null;
  const end = text.indexOf('. started with:', v + VERSION.length);
  return end < 0 ? null : text.slice(v + VERSION.length, end);
}

/** The banner's second and third lines. */
export const BANNER_PORT = /^(?:Tcp port|TCP Port): \d+/i;
export const BANNER_HEADER = /^Time\s+Id\s+Command\s+Argument\s*$/;
