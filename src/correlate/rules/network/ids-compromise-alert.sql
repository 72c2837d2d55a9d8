-- id: actions.ids_compromise_alert
-- title: IDS alert that an attack worked: a command's output coming back, a trojan or C2 channel
-- phase: actions
-- tactic: command-and-control
-- technique: T1071
-- level: critical
-- entity: ip
-- false_positives: IDS test pages (testmynids.org serves "uid=0(root)" on purpose), security tooling that downloads malware samples; check the signature against the traffic
-- description: Suricata alerts whose classtype says an attack succeeded (privilege gained, trojan, C2) or whose signature is an ATTACK_RESPONSE / CNC rule, and Zeek notices of a login by a password guesser (knowledge.ts IDS_ALERT_KINDS). hit_key = the attacker's end (the external end; ids_alert_attacker).
SELECT event_id, ids_alert_attacker(src_ip, dst_ip, attrs) AS hit_key FROM events
WHERE class = 'network_activity' AND action = 'ids_alert' AND ids_alert_kind(attrs) = 'compromise' AND coalesce(src_ip, dst_ip) IS NOT NULL
