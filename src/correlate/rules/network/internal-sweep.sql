-- id: recon.internal_network_sweep
-- title: Internal sweep: one internal host probing many internal hosts or ports
-- phase: recon
-- tactic: discovery
-- technique: T1046
-- level: high
-- entity: ip
-- params: targets=15 window_minutes=10
-- false_positives: monitoring and service discovery agents (usually constant: they are in every window), internal vulnerability scanners
WITH probes AS (
  SELECT event_id, ts, src_ip, dst_ip || ':' || CAST(dst_port AS VARCHAR) AS target FROM events
  WHERE class = 'network_activity' AND action = 'flow' AND src_port >= 1024 AND dst_port < 10000
    AND regexp_matches(src_ip, '^(10\.|192\.168\.|172\.(1[6-9]|2[0-9]|3[01])\.)') AND regexp_matches(dst_ip, '^(10\.|192\.168\.|172\.(1[6-9]|2[0-9]|3[01])\.)')
), windows AS (
  SELECT a.src_ip, a.ts AS start FROM probes a JOIN probes b ON a.src_ip = b.src_ip AND b.ts BETWEEN a.ts AND a.ts + INTERVAL {{window_minutes}} MINUTE
  GROUP BY a.src_ip, a.ts HAVING count(DISTINCT b.target) >= {{targets}}
)
SELECT DISTINCT p.event_id, p.src_ip AS hit_key FROM probes p JOIN windows w ON p.src_ip = w.src_ip AND p.ts BETWEEN w.start AND w.start + INTERVAL {{window_minutes}} MINUTE
