-- id: exfiltration.db_sensitive_bulk_read
-- title: Whole sensitive table read (no WHERE, no LIMIT) outside the reader's baseline
-- phase: exfiltration
-- tactic: collection
-- technique: T1213
-- level: high
-- scan: db
-- entity: db_role
-- false_positives: backups and reporting jobs (recurring daily: their own baseline); one-off maintenance by a DBA
-- description: sensitive = a table named with --sensitive db:schema.table, or one whose name says it holds people, payments or secrets.
WITH reads AS (
  SELECT e.event_id, e.ts, e.actor, coalesce(e.attrs->>'application_name', e.attrs->>'program_name', '?') AS app, t.tbl
  FROM events e, unnest(CAST(e.attrs->'$.sql.tables_read' AS VARCHAR[])) AS t(tbl)
  WHERE e.class = 'datastore_activity' AND e.command IS NOT NULL AND e.actor IS NOT NULL
    AND ((e.attrs->'$.sql.unfiltered_read')::BOOLEAN OR json_array_length(e.attrs->'$.sql.exports') > 0)
)
SELECT r.event_id, r.actor AS hit_key FROM reads r
WHERE (list_contains($sensitive_tables, r.tbl) OR regexp_matches(r.tbl, '(?i)(customer|user|account|member|person|patient|employee|payment|card|credit|billing|invoice|order|password|credential|secret|token|ssn)'))
  AND NOT EXISTS (SELECT 1 FROM reads p WHERE p.actor = r.actor AND p.app = r.app AND p.tbl = r.tbl AND p.ts < date_trunc('day', r.ts))
  -- The case's coverage (main.events, the whole table), not that of the scan's rows (`events` here).
  AND (SELECT min(ts) FROM main.events WHERE class = 'datastore_activity') < date_trunc('day', r.ts) - INTERVAL 1 DAY
