/**
 * `dwell verify`: re-hash every evidence file recorded in the case. The runbook's "read-only and
 * cannot be tampered with", checked: OK, CHANGED (hash differs, or no longer a regular file) or
 * MISSING (gone, or unreadable within the timeout); non-zero exit on any.
 */
import { safeText } from '../../core/sanitize.js';
import { CaseDb, CaseError } from '../../store/case-db.js';
import { readDuckdbConfig } from '../../store/read-budget.js';
import { verifyEvidence, type VerifyResult } from '../../store/verify.js';
import { table } from '../format.js';

export async function runVerify(opts: { case: string; json?: boolean; timeout?: number }): Promise<number> {
  let results: VerifyResult[];
  try {
    const db = await CaseDb.open(opts.case, { readOnly: true, config: readDuckdbConfig() });
    try {
      results = await verifyEvidence(db, { stallMs: (opts.timeout ?? 30) * 1000 });
    } finally {
      db.close();
    }
  } catch (err) {
    if (err instanceof CaseError) {
      process.stderr.write(`error: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const bad = results.filter((r) => r.state !== 'OK');
  if (opts.json) {
    process.stdout.write(JSON.stringify(results, null, 2) + '\n');
  } else {
    process.stdout.write(
      table(
        ['STATE', 'EVIDENCE', 'SHA256', 'FILE'],
        results.map((r) => [r.state, `#${r.evidenceId}`, r.recordedSha256.slice(0, 16) + '…', safeText(r.path) + (r.detail ? `  (${safeText(r.detail)})` : '')]),
      ) + '\n',
    );
    process.stdout.write(`\n${results.length - bad.length} OK, ${bad.filter((r) => r.state === 'CHANGED').length} CHANGED, ${bad.filter((r) => r.state === 'MISSING').length} MISSING\n`);
  }
  return bad.length > 0 ? 1 : 0;
}
