-- id: access.login_from_new_address
-- title: First login of a user from an address not seen for them before
-- phase: access
-- tactic: initial-access
-- technique: T1078
-- level: low
-- scan: auth
-- entity: ip
-- params: prior_logins=3
-- false_positives: travel, new office or VPN addresses, DHCP
-- description: a successful ssh_login of (host, user) from an address that user never used before, when the user had at least `prior_logins` earlier logins on that host.
WITH logins AS (
  SELECT event_id, ts, host, actor, src_ip,
         row_number() OVER (PARTITION BY host, actor ORDER BY ts, event_id) AS nth,
         row_number() OVER (PARTITION BY host, actor, src_ip ORDER BY ts, event_id) AS nth_from_ip
  FROM events WHERE action IN {{vocab.remote_login}} AND outcome = 'success' AND src_ip IS NOT NULL AND actor IS NOT NULL
)
SELECT event_id, src_ip AS hit_key FROM logins WHERE nth_from_ip = 1 AND nth > {{prior_logins}}
