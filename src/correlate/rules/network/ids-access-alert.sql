-- id: access.ids_access_alert
-- title: IDS alert of an attempt to get in: exploit, web attack, password guessing
-- phase: access
-- tactic: initial-access
-- technique: T1190
-- level: high
-- entity: ip
-- false_positives: internet-wide exploit spraying at a server that is not vulnerable (an attempt, not a success: check the responses), authorised penetration tests
-- description: Suricata alerts whose classtype is an attempted privilege gain, web application attack, exploit kit or credential theft attempt, or an EXPLOIT signature, and Zeek password-guessing notices (knowledge.ts IDS_ALERT_KINDS). hit_key = the attacker's end (ids_alert_attacker).
SELECT event_id, ids_alert_attacker(src_ip, dst_ip, attrs) AS hit_key FROM events
WHERE class = 'network_activity' AND action = 'ids_alert' AND ids_alert_kind(attrs) = 'access' AND coalesce(src_ip, dst_ip) IS NOT NULL
