/** Opens a case read-only for assertions. */
import { CaseDb, type Row } from '../../src/store/case-db.js';

export async function query<T = Row>(casePath: string, sql: string, params?: Record<string, string | number | null>): Promise<T[]> {
  const db = await CaseDb.open(casePath, { readOnly: true });
  try {
    return await db.all<T>(sql, params);
  } finally {
    db.close();
  }
}
