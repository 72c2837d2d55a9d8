-- id: access.connection_after_scan
-- title: Accepted connection from an address that port-scanned the same host before
-- phase: access
-- tactic: initial-access
-- technique: T1133
-- level: high
-- entity: ip
-- params: ports=50 days=3
-- false_positives: authorised scanners that also connect (recurring: excluded like in recon.port_scan)
WITH flows AS (
  SELECT event_id, ts, src_ip, src_port, dst_ip, dst_port, outcome, coalesce(bytes_out, 0) AS b FROM events
  WHERE class = 'network_activity' AND action = 'flow' AND src_ip IS NOT NULL AND dst_ip IS NOT NULL
), scan_days AS (
  -- Probes leave from ephemeral ports; the scanned host's replies (from the probed ports) are not a scan.
  SELECT src_ip, dst_ip, date_trunc('day', ts) AS day, min(ts) AS first_scan FROM flows WHERE src_port IS NULL OR src_port >= 1024
  GROUP BY src_ip, dst_ip, date_trunc('day', ts) HAVING count(DISTINCT dst_port) >= {{ports}}
), scanners AS (
  SELECT src_ip, dst_ip, min(first_scan) AS first_scan, count(*) AS ndays FROM scan_days GROUP BY src_ip, dst_ip
)
SELECT f.event_id, f.src_ip AS hit_key FROM flows f JOIN scanners s ON f.src_ip = s.src_ip AND f.dst_ip = s.dst_ip
WHERE f.outcome = 'success' AND f.ts > s.first_scan AND f.b > 1000 AND s.ndays < {{days}}
