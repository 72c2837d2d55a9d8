-- id: access.cloud_key_new_address
-- title: Long-term access key used from an address it never used before
-- phase: access
-- tactic: initial-access
-- technique: T1078.004
-- level: high
-- scan: cloud
-- entity: access_key
-- params: prior_calls=3
-- false_positives: a developer travelling or a new CI runner using a long-term key (prefer roles); NAT address changes
-- description: a call with an AKIA key from a public address not seen for that key before, when the key had at least `prior_calls` earlier calls; the whole first hour from the new address is returned.
WITH calls AS (
  SELECT event_id, ts, access_key, src_ip,
         row_number() OVER (PARTITION BY access_key ORDER BY ts, event_id) AS nth,
         min(ts) OVER (PARTITION BY access_key, src_ip) AS first_from_ip
  FROM events WHERE is_cloud_call(action) AND access_key LIKE 'AKIA%' AND src_ip IS NOT NULL
), firsts AS (
  SELECT access_key, src_ip, first_from_ip FROM calls WHERE ts = first_from_ip AND nth > {{prior_calls}}
    AND NOT is_private_ip(src_ip)
)
SELECT c.event_id, c.access_key AS hit_key FROM calls c JOIN firsts f USING (access_key, src_ip)
WHERE c.ts < f.first_from_ip + INTERVAL 1 HOUR
