-- id: access.ssh_success_after_connection_burst
-- title: SSH login from an address that opened many SSH connections just before (guessing a sensor could not see into)
-- phase: access
-- tactic: credential-access
-- technique: T1110.001
-- level: medium
-- scan: auth
-- entity: ip
-- params: connections=20 lookback_minutes=60
-- false_positives: deployment or monitoring tools that open many SSH connections from one address before logging in (recurring: check the address's history)
-- description: a successful ssh_login whose source address opened at least `connections` SSH connections whose authentication outcome the source could not tell (ssh_connection: a network sensor sees the connection, not the password) in the preceding `lookback_minutes`; the login and the connections are returned.
WITH ok AS (
  SELECT event_id, ts, src_ip FROM events WHERE action IN {{vocab.remote_login}} AND outcome = 'success' AND src_ip IS NOT NULL
), conns AS (
  SELECT event_id, ts, src_ip FROM events WHERE action = 'ssh_connection' AND src_ip IS NOT NULL AND src_ip IN (SELECT src_ip FROM ok)
), hits AS (
  SELECT ok.event_id, ok.ts, ok.src_ip FROM ok JOIN conns c
    ON c.src_ip = ok.src_ip AND c.ts < ok.ts AND c.ts >= ok.ts - INTERVAL {{lookback_minutes}} MINUTE
  GROUP BY ok.event_id, ok.ts, ok.src_ip HAVING count(*) >= {{connections}}
)
SELECT event_id, src_ip AS hit_key FROM hits
UNION
SELECT c.event_id, c.src_ip FROM conns c JOIN hits h ON c.src_ip = h.src_ip AND c.ts < h.ts AND c.ts >= h.ts - INTERVAL {{lookback_minutes}} MINUTE
