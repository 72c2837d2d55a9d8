/** Reads the newest findings of a case (read-only). */
import { CaseDb, CaseError } from '../store/case-db.js';

export async function latestFindings(db: CaseDb): Promise<{ findingsId: number; body: Record<string, any> }> {
  const row = await db.one<{ findings_id: number; body: string }>(`SELECT findings_id, CAST(body AS VARCHAR) AS body FROM findings ORDER BY findings_id DESC LIMIT 1`);
  if (!row) throw new CaseError(`case ${db.path} has no findings yet\n help: run dwell correlate --case ${db.path} --seed …`);
  return { findingsId: row.findings_id, body: JSON.parse(row.body) as Record<string, any> };
}
