-- id: exfiltration.s3_bulk_download
-- title: S3 bulk download by an identity that never downloaded that much before
-- phase: exfiltration
-- tactic: collection
-- technique: T1530
-- level: high
-- entity: iam_principal
-- params: megabytes=50 window_minutes=60
-- false_positives: backups restores, analytics jobs, a new batch job; identities that move this much every day are their own baseline
WITH gets AS (
  SELECT event_id, ts, coalesce(attrs->>'issuer_arn', actor) AS who, coalesce(bytes_out, 0) AS b FROM events
  WHERE source = 'cloudtrail' AND outcome = 'success' AND regexp_matches(action, 's3\.amazonaws\.com:(GetObject|SelectObjectContent)$')
), heavy AS (
  SELECT a.who, a.ts AS start, date_trunc('day', a.ts) AS day FROM gets a JOIN gets b ON a.who = b.who AND b.ts BETWEEN a.ts AND a.ts + INTERVAL {{window_minutes}} MINUTE
  GROUP BY a.who, a.ts HAVING sum(b.b) >= {{megabytes}} * 1000000
)
SELECT DISTINCT g.event_id, g.who AS hit_key FROM gets g JOIN heavy h ON g.who = h.who AND g.ts BETWEEN h.start AND h.start + INTERVAL {{window_minutes}} MINUTE
WHERE NOT EXISTS (SELECT 1 FROM heavy e WHERE e.who = h.who AND e.day < h.day)
  AND (SELECT min(ts) FROM events WHERE source = 'cloudtrail') < h.day - INTERVAL 1 DAY
