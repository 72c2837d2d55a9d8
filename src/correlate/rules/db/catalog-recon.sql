-- id: recon.db_catalog_recon
-- title: Database catalog reconnaissance by a role/application pair that never did it before
-- phase: recon
-- tactic: discovery
-- technique: T1082
-- level: medium
-- scan: db
-- entity: db_role
-- false_positives: dump and migration tools (pg_dump reads the catalog every night: its own baseline), DBAs exploring with psql
WITH cat AS (
  SELECT event_id, ts, actor, coalesce(attrs->>'application_name', attrs->>'program_name', '?') AS app FROM events
  WHERE class = 'datastore_activity' AND command IS NOT NULL AND actor IS NOT NULL AND (attrs->'$.sql.catalog_recon')::BOOLEAN
)
SELECT c.event_id, c.actor AS hit_key FROM cat c
WHERE NOT EXISTS (SELECT 1 FROM cat p WHERE p.actor = c.actor AND p.app = c.app AND p.ts < date_trunc('day', c.ts))
  -- A first day is only a first day when the evidence covers the day before it: the case's
  -- coverage (main.events, the whole table), not that of the scan's rows (`events` here).
  AND (SELECT min(ts) FROM main.events WHERE class = 'datastore_activity') < date_trunc('day', c.ts) - INTERVAL 1 DAY
