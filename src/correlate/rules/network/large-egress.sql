-- id: exfiltration.large_egress_new_destination
-- title: Large transfer from an internal host to an external network it never sent to before
-- phase: exfiltration
-- tactic: exfiltration
-- technique: T1048
-- level: high
-- entity: ip
-- params: megabytes=20 window_minutes=60
-- false_positives: backups and uploads to cloud storage (recurring destinations, compared by /16 network), software updates
-- description: bytes sent by one internal address to one external /16 network within `window_minutes` (window sums, per sensor: VPC and Zeek each need the volume), when the host had not sent to that network on an earlier day covered by the evidence.
WITH out AS (
  SELECT event_id, ts, source, src_ip, dst_ip, regexp_extract(dst_ip, '^(\d+\.\d+)\.', 1) AS net, coalesce(bytes_out, 0) AS b FROM events
  WHERE class = 'network_activity' AND action = 'flow' AND is_private_ip(src_ip)
    AND dst_ip IS NOT NULL AND NOT is_private_ip(dst_ip) AND dst_ip NOT LIKE '%:%'
), ends AS (
  SELECT *, sum(b) OVER (PARTITION BY source, src_ip, net ORDER BY ts RANGE BETWEEN INTERVAL {{window_minutes}} MINUTE PRECEDING AND CURRENT ROW) AS v FROM out
), marked AS (
  SELECT *, min(CASE WHEN v >= {{megabytes}} * 1000000 THEN ts END) OVER (PARTITION BY source, src_ip, net ORDER BY ts DESC NULLS FIRST RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS next_end FROM ends
), heavy AS (SELECT * FROM marked WHERE next_end IS NOT NULL AND next_end <= ts + INTERVAL {{window_minutes}} MINUTE),
   seen AS (SELECT src_ip, net, min(ts) AS first_ts FROM out GROUP BY src_ip, net)
SELECT h.event_id, h.dst_ip AS hit_key FROM heavy h JOIN seen s ON s.src_ip = h.src_ip AND s.net = h.net
WHERE s.first_ts >= date_trunc('day', h.ts)
  AND (SELECT min(ts) FROM out) < date_trunc('day', h.ts) - INTERVAL 1 DAY
