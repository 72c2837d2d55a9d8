-- id: recon.internal_network_sweep
-- title: Internal sweep: one internal host probing many internal hosts or ports
-- phase: recon
-- tactic: discovery
-- technique: T1046
-- level: high
-- entity: ip
-- params: targets=15 window_minutes=10
-- false_positives: monitoring and service discovery agents, internal vulnerability scanners
-- description: at least `targets` distinct internal address:port pairs contacted by one internal address from ephemeral ports within `window_minutes` (window aggregates, no self-join).
WITH probes AS (
  SELECT event_id, ts, src_ip, dst_ip || ':' || CAST(dst_port AS VARCHAR) AS target FROM events
  WHERE class = 'network_activity' AND action = 'flow' AND src_port >= 1024 AND dst_port < 10000
    AND is_private_ip(src_ip) AND is_private_ip(dst_ip)
), candidates AS (
  SELECT DISTINCT src_ip FROM probes GROUP BY src_ip, date_trunc('day', ts) HAVING count(DISTINCT target) >= {{targets}}
), ends AS (
  SELECT *, count(DISTINCT target) OVER (PARTITION BY src_ip ORDER BY ts RANGE BETWEEN INTERVAL {{window_minutes}} MINUTE PRECEDING AND CURRENT ROW) AS targets FROM probes
  WHERE src_ip IN (SELECT src_ip FROM candidates)
), marked AS (
  SELECT *, min(CASE WHEN targets >= {{targets}} THEN ts END) OVER (PARTITION BY src_ip ORDER BY ts DESC NULLS FIRST RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS next_end FROM ends
)
SELECT event_id, src_ip AS hit_key FROM marked WHERE next_end IS NOT NULL AND next_end <= ts + INTERVAL {{window_minutes}} MINUTE
