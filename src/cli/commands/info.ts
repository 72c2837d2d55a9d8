/**
 * `dwell info --case C [--json]`: what the case holds, on one screen (src/case-tools/info.ts);
 * `--json` gives all of it. The case is opened read-only.
 */
import { caseInfo } from '../../case-tools/info.js';
import { infoLines } from '../../case-tools/info-text.js';
import { terminalWidth } from '../../case-tools/output.js';
import { CaseDb, CaseError } from '../../store/case-db.js';
import { readDuckdbConfig } from '../../store/read-budget.js';

export async function runInfo(opts: { case: string; json?: boolean }): Promise<number> {
  let db: CaseDb | null = null;
  try {
    db = await CaseDb.open(opts.case, { readOnly: true, config: readDuckdbConfig() });
    const info = await caseInfo(db);
    if (opts.json) process.stdout.write(JSON.stringify(info, null, 2) + '\n');
    else process.stdout.write(infoLines(info, terminalWidth()).join('\n') + '\n');
    return 0;
  } catch (err) {
    if (err instanceof CaseError) {
      process.stderr.write(`error: ${err.message}\n`);
      return 2;
    }
    throw err;
  } finally {
    db?.close();
  }
}
