/** DuckDB's row group: the unit it writes to the case file before a commit (test/ingest/rowgroup-*.test.ts). */
export const ROW_GROUP = 122_880;
