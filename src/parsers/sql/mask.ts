/**
 * Masks password literals in SQL before it goes into a one-line summary: `PASSWORD 'x'`,
 * `IDENTIFIED BY 'x'`, `IDENTIFIED WITH plugin AS 'hash'`, `PASSWORD('x')`, `password=x` in
 * connection strings (dblink, CREATE USER MAPPING … OPTIONS). The statement itself stays
 * untouched in `command` and `raw`: it is evidence.
 */

const QUOTED = String.raw`(?:'(?:[^'\\]|\\[\s\S]|'')*'?|"(?:[^"\\]|\\[\s\S]|"")*"?|\$(\w*)\$[\s\S]*?(?:\$\2\$|$))`;
const GAP = String.raw`(?:\s+|/\*[\s\S]*?\*/|--[^\n]*\n)*`;
const PASSWORD_LITERAL = new RegExp(String.raw`(\b(?:password|identified${GAP}(?:with${GAP}\S+${GAP})?(?:by|as))${GAP}(?:=${GAP})?(?:(?:password|old_password)?${GAP}\(${GAP})?)${QUOTED}`, 'gi');
const CONNSTRING_PASSWORD = /(\bpassword\s*=\s*)(?!'\*\*\*')('[^']*'|[^\s'";,)]+)/gi;

export function maskPasswords(sql: string): string {
  if (!/password|identified/i.test(sql)) return sql;
  return sql.replace(PASSWORD_LITERAL, "$1'***'").replace(CONNSTRING_PASSWORD, "$1***");
}
