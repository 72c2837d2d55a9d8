/** Reads the newest findings of a case (read-only), as `dwell.findings/v1` (findings of older versions may lack newer sections). */
import type { Findings } from '../correlate/findings-types.js';
import { CaseDb, CaseError } from '../store/case-db.js';

export async function latestFindings(db: CaseDb): Promise<{ findingsId: number; body: Findings }> {
  const row = await db.one<{ findings_id: number; body: string }>(`SELECT findings_id, CAST(body AS VARCHAR) AS body FROM findings ORDER BY findings_id DESC LIMIT 1`);
  if (!row) throw new CaseError(`case ${db.path} has no findings yet\n help: run dwell correlate --case ${db.path} --seed …`);
  return { findingsId: row.findings_id, body: JSON.parse(row.body) as Findings };
}
