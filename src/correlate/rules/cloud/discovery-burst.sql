-- id: recon.cloud_discovery_burst
-- title: Cloud discovery burst by an identity that never did one before
-- phase: recon
-- tactic: discovery
-- technique: T1580
-- level: medium
-- entity: iam_principal
-- params: kinds=8 window_minutes=10
-- false_positives: infrastructure-as-code (terraform plan) and inventory tools; they burst every day, so an identity with a burst on an earlier day is its own baseline
-- description: at least `kinds` different Describe/List/Get calls by one identity (a role session counts as its role) within `window_minutes`, on the first day that identity ever did so.
WITH calls AS (
  SELECT event_id, ts, coalesce(attrs->>'issuer_arn', actor) AS who, action FROM events
  WHERE source = 'cloudtrail' AND regexp_matches(action, ':(Describe|List|Get)[A-Z]') AND actor IS NOT NULL
), bursts AS (
  SELECT a.who, a.ts AS start, date_trunc('day', a.ts) AS day FROM calls a JOIN calls b
    ON a.who = b.who AND b.ts BETWEEN a.ts AND a.ts + INTERVAL {{window_minutes}} MINUTE
  GROUP BY a.who, a.ts HAVING count(DISTINCT b.action) >= {{kinds}}
), first_day AS (SELECT who, min(day) AS day FROM bursts GROUP BY who),
   hits AS (SELECT b.who, b.start FROM bursts b JOIN first_day f ON f.who = b.who AND f.day = b.day
            WHERE NOT EXISTS (SELECT 1 FROM bursts e WHERE e.who = b.who AND e.day < b.day))
SELECT DISTINCT c.event_id, c.who AS hit_key FROM calls c JOIN hits h ON c.who = h.who AND c.ts BETWEEN h.start AND h.start + INTERVAL {{window_minutes}} MINUTE
-- The first day is only a first day when the evidence covers the days before it.
WHERE (SELECT min(ts) FROM events WHERE source = 'cloudtrail') < (SELECT min(start) FROM hits h2 WHERE h2.who = c.who) - INTERVAL 1 DAY
