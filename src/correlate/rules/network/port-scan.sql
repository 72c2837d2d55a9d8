-- id: recon.port_scan
-- title: Port scan: many ports or hosts probed from one address, mostly refused
-- phase: recon
-- tactic: reconnaissance
-- technique: T1595.001
-- level: medium
-- entity: ip
-- params: ports=50 window_minutes=10 days=3
-- false_positives: authorised vulnerability scanners — recurring, so an address that scanned on `days` different days is left out here
-- description: at least `ports` distinct destination address:port pairs from one source (probes leave from ephemeral ports) within `window_minutes`, at least half of them refused (window aggregates, no self-join).
WITH probes AS (
  SELECT event_id, ts, src_ip, coalesce(dst_ip, '') || ':' || CAST(dst_port AS VARCHAR) AS target, CASE WHEN outcome = 'failure' THEN 1 ELSE 0 END AS refused FROM events
  WHERE class = 'network_activity' AND action = 'flow' AND src_ip IS NOT NULL AND dst_port IS NOT NULL AND (src_port IS NULL OR src_port >= 1024)
), candidates AS (
  -- Only sources that reach the count within some day can reach it within the window.
  SELECT DISTINCT src_ip FROM probes GROUP BY src_ip, date_trunc('day', ts) HAVING count(DISTINCT target) >= {{ports}} AND sum(refused) >= {{ports}} / 4
), ends AS (
  SELECT *, count(DISTINCT target) OVER w AS targets, avg(refused) OVER w AS refused_share FROM probes WHERE src_ip IN (SELECT src_ip FROM candidates)
  WINDOW w AS (PARTITION BY src_ip ORDER BY ts RANGE BETWEEN INTERVAL {{window_minutes}} MINUTE PRECEDING AND CURRENT ROW)
), marked AS (
  SELECT *, min(CASE WHEN targets >= {{ports}} AND refused_share >= 0.5 THEN ts END) OVER (PARTITION BY src_ip ORDER BY ts DESC NULLS FIRST RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS next_end FROM ends
), scans AS (SELECT * FROM marked WHERE next_end IS NOT NULL AND next_end <= ts + INTERVAL {{window_minutes}} MINUTE),
   recurring AS (SELECT src_ip FROM scans GROUP BY src_ip HAVING count(DISTINCT date_trunc('day', ts)) >= {{days}})
SELECT event_id, src_ip AS hit_key FROM scans WHERE src_ip NOT IN (SELECT src_ip FROM recurring)
