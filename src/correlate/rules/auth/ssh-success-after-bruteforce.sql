-- id: access.ssh_success_after_bruteforce
-- title: SSH login succeeds from an address that just failed many times
-- phase: access
-- tactic: credential-access
-- technique: T1110.001
-- level: high
-- scan: auth
-- entity: ip
-- params: failures=5 lookback_minutes=120
-- false_positives: an administrator who mistyped a password many times from their own address (--auto sets such an address aside when it logged in routinely, or with a key, before)
-- description: a successful ssh_login whose source address had at least `failures` failed password guesses (any account, any host; key offers the server refused are not guesses) in the preceding `lookback_minutes`; both the success and the failures are returned.
WITH ok AS (
  SELECT event_id, ts, src_ip, host, actor FROM events
  WHERE action IN {{vocab.remote_login}} AND outcome = 'success' AND src_ip IS NOT NULL
), tried AS MATERIALIZED (
  -- Only failures from an address that then logged in can count, and those are few: they are found
  -- on plain columns first, so the JSON below is read for them only, not for every failure (10M-event cases).
  SELECT event_id FROM events
  WHERE action IN ('ssh_login_failed', 'ssh_invalid_user') AND src_ip IS NOT NULL AND src_ip IN (SELECT src_ip FROM ok)
), fails AS (
  SELECT e.event_id, e.ts, e.src_ip, coalesce(TRY_CAST(e.attrs->>'repeated' AS INTEGER), 1) AS w FROM events e JOIN tried USING (event_id)
  -- A client offering a key the server does not take is not guessing: ssh tries every key it holds before a password.
  WHERE coalesce(e.attrs->>'method', '') <> 'publickey'
), hits AS (
  SELECT ok.event_id, ok.ts, ok.src_ip FROM ok JOIN fails f
    ON f.src_ip = ok.src_ip AND f.ts < ok.ts AND f.ts >= ok.ts - INTERVAL {{lookback_minutes}} MINUTE
  GROUP BY ok.event_id, ok.ts, ok.src_ip HAVING sum(f.w) >= {{failures}}
)
SELECT event_id, src_ip AS hit_key FROM hits
UNION
SELECT f.event_id, f.src_ip FROM fails f JOIN hits h ON f.src_ip = h.src_ip AND f.ts < h.ts AND f.ts >= h.ts - INTERVAL {{lookback_minutes}} MINUTE
