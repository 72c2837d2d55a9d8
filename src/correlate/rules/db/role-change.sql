-- id: actions.db_privilege_change
-- title: Database role created or privileges changed
-- phase: actions
-- tactic: persistence
-- technique: T1136
-- level: high
-- scan: db
-- entity: db_role
-- false_positives: schema migrations and DBA account administration
SELECT event_id, actor AS hit_key FROM events
WHERE class = 'datastore_activity' AND action IN ('db_query', 'db_audit') AND actor IS NOT NULL AND (attrs->'$.sql.privilege_change')::BOOLEAN
