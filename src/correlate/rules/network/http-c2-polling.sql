-- id: actions.http_c2_polling
-- title: HTTP C2 polling: one client requesting the same path from many different web hosts
-- phase: actions
-- tactic: command-and-control
-- technique: T1071.001
-- level: high
-- entity: ip
-- params: hosts=20 window_minutes=60
-- false_positives: crawlers and link checkers (the same path on many sites), browsers fetching /favicon.ico or / (left out); proxies aggregate many users behind one client address
-- description: at least `hosts` distinct Host names asked for the same path (query string aside; not `/`, `/favicon.ico`, `/robots.txt`) by one client within `window_minutes` — malware walking its list of (DGA) controllers. hit_key = the client (the infected host); the servers are the events' destinations. Window aggregates, no self-join.
WITH req AS (
  SELECT event_id, ts, src_ip, regexp_extract(target, '^[a-zA-Z]+://([^/:]+)', 1) AS vhost, regexp_extract(target, '^[a-zA-Z]+://[^/]+(/[^?#]*)', 1) AS path FROM events
  WHERE class = 'network_activity' AND action = 'http_request' AND src_ip IS NOT NULL AND target IS NOT NULL
), p AS (
  SELECT * FROM req WHERE path NOT IN ('', '/', '/favicon.ico', '/robots.txt') AND vhost <> ''
), candidates AS (
  SELECT DISTINCT src_ip, path FROM p GROUP BY src_ip, path, date_trunc('day', ts) HAVING count(DISTINCT vhost) >= {{hosts}}
), ends AS (
  SELECT p.*, count(DISTINCT vhost) OVER (PARTITION BY p.src_ip, p.path ORDER BY ts RANGE BETWEEN INTERVAL {{window_minutes}} MINUTE PRECEDING AND CURRENT ROW) AS n
  FROM p JOIN candidates c ON p.src_ip = c.src_ip AND p.path = c.path
), marked AS (
  SELECT *, min(CASE WHEN n >= {{hosts}} THEN ts END) OVER (PARTITION BY src_ip, path ORDER BY ts DESC NULLS FIRST RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS next_end FROM ends
)
SELECT event_id, src_ip AS hit_key FROM marked WHERE next_end IS NOT NULL AND next_end <= ts + INTERVAL {{window_minutes}} MINUTE
