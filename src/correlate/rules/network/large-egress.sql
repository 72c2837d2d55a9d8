-- id: exfiltration.large_egress_new_destination
-- title: Large transfer from an internal host to an external network it never sent to before
-- phase: exfiltration
-- tactic: exfiltration
-- technique: T1048
-- level: high
-- entity: ip
-- params: megabytes=20 window_minutes=60
-- false_positives: backups and uploads to cloud storage (recurring destinations, compared by /16 network), software updates
-- description: bytes sent by one internal address to one external /16 network within `window_minutes`, when that host had never sent to that network before; per sensor, so VPC and Zeek each need the volume.
WITH out AS (
  SELECT event_id, ts, source, src_ip, dst_ip, regexp_extract(dst_ip, '^(\d+\.\d+)\.', 1) AS net, coalesce(bytes_out, 0) AS b FROM events
  WHERE class = 'network_activity' AND action = 'flow' AND regexp_matches(src_ip, '^(10\.|192\.168\.|172\.(1[6-9]|2[0-9]|3[01])\.)')
    AND dst_ip IS NOT NULL AND NOT regexp_matches(dst_ip, '^(10\.|192\.168\.|172\.(1[6-9]|2[0-9]|3[01])\.|127\.|169\.254\.)') AND dst_ip NOT LIKE '%:%'
), heavy AS (
  SELECT a.source, a.src_ip, a.net, a.ts AS start FROM out a JOIN out b ON a.source = b.source AND a.src_ip = b.src_ip AND a.net = b.net AND b.ts BETWEEN a.ts AND a.ts + INTERVAL {{window_minutes}} MINUTE
  GROUP BY a.source, a.src_ip, a.net, a.ts HAVING sum(b.b) >= {{megabytes}} * 1000000
), new_dest AS (
  SELECT h.* FROM heavy h WHERE NOT EXISTS (SELECT 1 FROM out p WHERE p.src_ip = h.src_ip AND p.net = h.net AND p.ts < date_trunc('day', h.start))
    AND (SELECT min(ts) FROM out) < date_trunc('day', h.start) - INTERVAL 1 DAY
)
SELECT DISTINCT o.event_id, o.dst_ip AS hit_key FROM out o JOIN new_dest n ON o.source = n.source AND o.src_ip = n.src_ip AND o.net = n.net AND o.ts BETWEEN n.start AND n.start + INTERVAL {{window_minutes}} MINUTE
