-- id: actions.cloud_secret_read_new_reader
-- title: Secret or decrypted parameter read by an identity that never read it before
-- phase: actions
-- tactic: credential-access
-- technique: T1555.006
-- level: high
-- scan: cloud
-- entity: iam_principal
-- false_positives: a new service or a new version of an application reading its secrets for the first time (applications read theirs at every restart: the baseline)
WITH reads AS (
  SELECT event_id, ts, cloud_identity(actor) AS who, coalesce(target, '?') AS secret FROM events
  WHERE is_cloud_call(action) AND outcome = 'success'
    AND (regexp_matches(action, ':(GetSecretValue|BatchGetSecretValue)$')
         OR (regexp_matches(action, ':(GetParameter|GetParameters|GetParametersByPath)$') AND lower(CAST(attrs->'$.request_parameters.withDecryption' AS VARCHAR)) = 'true'))
)
SELECT r.event_id, r.who AS hit_key FROM reads r
WHERE NOT EXISTS (SELECT 1 FROM reads p WHERE p.who = r.who AND p.secret = r.secret AND p.ts < date_trunc('day', r.ts))
  AND (SELECT min(ts) FROM events WHERE is_cloud_call(action)) < date_trunc('day', r.ts) - INTERVAL 1 DAY
