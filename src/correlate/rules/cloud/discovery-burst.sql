-- id: recon.cloud_discovery_burst
-- title: Cloud discovery burst by an identity that never did one before
-- phase: recon
-- tactic: discovery
-- technique: T1580
-- level: medium
-- scan: cloud
-- entity: iam_principal
-- params: kinds=8 window_minutes=10
-- false_positives: infrastructure-as-code (terraform plan) and inventory tools; they burst every day, so an identity with a burst on an earlier day is its own baseline
-- description: at least `kinds` different Describe/List/Get calls by one identity (a role session counts as its role) within `window_minutes`, on the first day that identity ever did so, when the evidence covers the day before.
WITH all_calls AS (
  SELECT event_id, ts, cloud_identity(actor) AS who, action FROM events
  WHERE is_cloud_call(action) AND regexp_matches(action, ':(Describe|List|Get)[A-Z]') AND actor IS NOT NULL
), calls AS (
  -- A window holds no more kinds than the identity's whole history: an application role reading
  -- objects all day (GetObject only, 0.7M calls in a 10M-event case) never needs the window.
  SELECT * FROM all_calls WHERE who IN (SELECT who FROM all_calls GROUP BY who HAVING count(DISTINCT action) >= {{kinds}})
), ends AS (
  SELECT *, count(DISTINCT action) OVER (PARTITION BY who ORDER BY ts RANGE BETWEEN INTERVAL {{window_minutes}} MINUTE PRECEDING AND CURRENT ROW) AS kinds FROM calls
), marked AS (
  SELECT *, min(CASE WHEN kinds >= {{kinds}} THEN ts END) OVER (PARTITION BY who ORDER BY ts DESC NULLS FIRST RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS next_end FROM ends
), bursts AS (SELECT * FROM marked WHERE next_end IS NOT NULL AND next_end <= ts + INTERVAL {{window_minutes}} MINUTE),
   first_day AS (SELECT who, min(date_trunc('day', ts)) AS day FROM bursts GROUP BY who)
SELECT b.event_id, b.who AS hit_key FROM bursts b JOIN first_day f ON f.who = b.who AND date_trunc('day', b.ts) = f.day
WHERE (SELECT min(ts) FROM events WHERE is_cloud_call(action)) < f.day - INTERVAL 1 DAY
