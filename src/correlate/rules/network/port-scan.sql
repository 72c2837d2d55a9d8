-- id: recon.port_scan
-- title: Port scan: many ports or hosts probed from one address, mostly refused
-- phase: recon
-- tactic: reconnaissance
-- technique: T1595.001
-- level: medium
-- entity: ip
-- params: ports=50 window_minutes=10 days=3
-- false_positives: authorised vulnerability scanners — recurring, so an address scanning on `days` earlier days is reported once as known, not here
WITH probes AS (
  SELECT event_id, ts, src_ip, coalesce(dst_ip, '') || ':' || coalesce(CAST(dst_port AS VARCHAR), '') AS target, outcome FROM events
  WHERE class = 'network_activity' AND action = 'flow' AND src_ip IS NOT NULL AND dst_port IS NOT NULL AND (src_port IS NULL OR src_port >= 1024)
), windows AS (
  SELECT a.src_ip, a.ts AS start, date_trunc('day', a.ts) AS day FROM probes a JOIN probes b ON a.src_ip = b.src_ip AND b.ts BETWEEN a.ts AND a.ts + INTERVAL {{window_minutes}} MINUTE
  GROUP BY a.src_ip, a.ts HAVING count(DISTINCT b.target) >= {{ports}} AND avg(CASE WHEN b.outcome = 'failure' THEN 1 ELSE 0 END) >= 0.5
), recurring AS (SELECT src_ip FROM windows GROUP BY src_ip HAVING count(DISTINCT day) >= {{days}})
SELECT DISTINCT p.event_id, p.src_ip AS hit_key FROM probes p JOIN windows w ON p.src_ip = w.src_ip AND p.ts BETWEEN w.start AND w.start + INTERVAL {{window_minutes}} MINUTE
WHERE p.src_ip NOT IN (SELECT src_ip FROM recurring)
