-- id: access.db_role_new_client
-- title: Database role connecting from a client or with an application it never used
-- phase: access
-- tactic: initial-access
-- technique: T1078
-- level: medium
-- scan: db
-- entity: db_role
-- params: prior_logins=5
-- false_positives: a new application server, a DBA connecting with psql for maintenance
-- description: a successful login of a role (with at least `prior_logins` earlier logins) whose (client address, application) pair is new for it.
WITH logins AS (
  SELECT event_id, ts, actor, coalesce(src_ip, attrs->>'client_host', '?') AS client, coalesce(attrs->>'application_name', attrs->>'program_name', '?') AS app,
         row_number() OVER (PARTITION BY actor ORDER BY ts, event_id) AS nth,
         row_number() OVER (PARTITION BY actor, coalesce(src_ip, attrs->>'client_host', '?'), coalesce(attrs->>'application_name', attrs->>'program_name', '?') ORDER BY ts, event_id) AS nth_pair
  FROM events WHERE action = 'db_connect' AND actor IS NOT NULL
)
SELECT event_id, actor AS hit_key FROM logins WHERE nth_pair = 1 AND nth > {{prior_logins}}
