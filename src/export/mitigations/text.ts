/**
 * Text safety for the artefacts a person reviews and may run: values go into commands only single-
 * quoted (after validation, plan.ts); anything from evidence shown for review goes into a comment,
 * on one line, with controls escaped (a newline in a value can never start a command or a rule).
 */
import { safeText } from '../../core/sanitize.js';

/** A POSIX shell single-quoted word: nothing inside is expanded; a ' ends, is escaped, restarts. */
export function shellQuote(v: string): string {
  return `'${v.replace(/'/g, `'\\''`)}'`;
}

/** One comment line for sh, nft and YAML (`#`): evidence text cannot leave it. */
export function comment(text: string): string {
  return `# ${safeText(text)}`.trimEnd();
}

export function header(kind: string, generatedAt: string, from: string | null): string[] {
  return [
    comment(`dwell mitigations: ${kind}. Generated ${generatedAt} from the case's newest findings.`),
    comment('Review every line before use: dwell never runs it. Values were validated; anything that was not is listed as a comment only.'),
    ...(from ? [comment(`Evidence from ${from}.`)] : []),
  ];
}
