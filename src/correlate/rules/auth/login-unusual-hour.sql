-- id: access.login_unusual_hour
-- title: Login at an hour the user has never logged in at before
-- phase: access
-- tactic: initial-access
-- technique: T1078
-- level: low
-- scan: auth
-- entity: local_user
-- params: prior_logins=10
-- false_positives: on-call work, incident response itself, time-zone changes
-- description: a successful login of (host, user) at an hour of day (UTC) outside every hour of that user's earlier logins, when there were at least `prior_logins` of them.
WITH logins AS (
  SELECT event_id, ts, host, actor, hour(ts) AS h,
         row_number() OVER (PARTITION BY host, actor ORDER BY ts, event_id) AS nth
  FROM events WHERE action IN {{vocab.remote_login}} AND outcome = 'success' AND actor IS NOT NULL
)
SELECT l.event_id, l.actor || '@' || l.host AS hit_key FROM logins l
WHERE l.nth > {{prior_logins}}
  AND NOT EXISTS (SELECT 1 FROM logins p WHERE p.host = l.host AND p.actor = l.actor AND p.nth < l.nth AND abs(p.h - l.h) <= 1)
