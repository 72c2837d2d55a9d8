-- id: actions.c2_beacon
-- title: Periodic beacon: one internal host connecting to one external address:port at a regular interval, small and many
-- phase: actions
-- tactic: command-and-control
-- technique: T1071
-- level: high
-- entity: ip
-- params: min=10 min_interval_s=5 max_jitter=0.5 max_bytes=20000 clients=3
-- false_positives: software that polls one server on a timer (update agents, chat and telemetry clients, monitoring heartbeats) — usually many hosts poll the same server (a shared service, left out here); a single host's agent is a look-alike worth one look
-- description: at least `min` connections (answered or not) from one internal address to one external address:port, the gaps between them regular (interquartile range of the gaps ≤ `max_jitter` × their median — implants add jitter, people and browsers are bursty: their gaps spread over orders of magnitude, median ≥ `min_interval_s`), each small (median bytes both ways ≤ `max_bytes`); services of the infrastructure ports (DNS, NTP, DHCP, NetBIOS, mDNS, LLMNR, SSDP) and addresses that `clients` or more internal hosts use are left out. hit_key = the external address (the C2). One window pass per series (lag), no self-join.
WITH f AS (
  SELECT event_id, ts, src_ip, dst_ip, dst_port, coalesce(bytes_out, 0) + coalesce(bytes_in, 0) AS b FROM events
  WHERE class = 'network_activity' AND action = 'flow' AND is_private_ip(src_ip) AND dst_ip IS NOT NULL AND NOT is_private_ip(dst_ip)
    AND dst_port IS NOT NULL AND dst_port NOT IN {{vocab.infrastructure_ports}} AND (src_port IS NULL OR src_port >= 1024)
), shared AS (
  SELECT dst_ip FROM f GROUP BY dst_ip HAVING count(DISTINCT src_ip) >= {{clients}}
), gaps AS (
  SELECT *, epoch_ms(ts) - epoch_ms(lag(ts) OVER (PARTITION BY src_ip, dst_ip, dst_port ORDER BY ts, event_id)) AS gap_ms FROM f
  WHERE dst_ip NOT IN (SELECT dst_ip FROM shared)
), series AS (
  SELECT src_ip, dst_ip, dst_port, count(*) AS n, median(b) AS mb,
         quantile_cont(gap_ms, 0.5) AS med, quantile_cont(gap_ms, 0.75) - quantile_cont(gap_ms, 0.25) AS iqr
  FROM gaps GROUP BY src_ip, dst_ip, dst_port HAVING count(*) >= {{min}}
)
SELECT g.event_id, g.dst_ip AS hit_key FROM gaps g JOIN series s ON g.src_ip = s.src_ip AND g.dst_ip = s.dst_ip AND g.dst_port = s.dst_port
WHERE s.med >= {{min_interval_s}} * 1000 AND s.iqr <= {{max_jitter}} * s.med AND s.mb <= {{max_bytes}}
