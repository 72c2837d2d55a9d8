-- id: exfiltration.s3_bulk_download
-- title: S3 bulk download by an identity that never downloaded that much before
-- phase: exfiltration
-- tactic: collection
-- technique: T1530
-- level: high
-- scan: cloud
-- entity: iam_principal
-- params: megabytes=50 window_minutes=60
-- false_positives: backups restores, analytics jobs, a new batch job; identities that move this much every day are their own baseline
-- description: at least `megabytes` downloaded by one identity within `window_minutes` (window sums, no self-join), on the first day that identity ever did so, when the evidence covers the day before.
WITH gets AS (
  SELECT event_id, ts, cloud_identity(actor) AS who, coalesce(bytes_out, 0) AS b FROM events
  WHERE is_cloud_call(action) AND outcome = 'success' AND regexp_matches(action, 's3\.amazonaws\.com:(GetObject|SelectObjectContent)$')
), ends AS (
  SELECT *, sum(b) OVER (PARTITION BY who ORDER BY ts RANGE BETWEEN INTERVAL {{window_minutes}} MINUTE PRECEDING AND CURRENT ROW) AS v FROM gets
), marked AS (
  SELECT *, min(CASE WHEN v >= {{megabytes}} * 1000000 THEN ts END) OVER (PARTITION BY who ORDER BY ts DESC NULLS FIRST RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS next_end FROM ends
), heavy AS (SELECT * FROM marked WHERE next_end IS NOT NULL AND next_end <= ts + INTERVAL {{window_minutes}} MINUTE),
   first_day AS (SELECT who, min(date_trunc('day', ts)) AS day FROM heavy GROUP BY who)
SELECT h.event_id, h.who AS hit_key FROM heavy h JOIN first_day f ON f.who = h.who AND date_trunc('day', h.ts) = f.day
WHERE (SELECT min(ts) FROM events WHERE is_cloud_call(action)) < f.day - INTERVAL 1 DAY
