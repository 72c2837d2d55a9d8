-- id: recon.ids_alert
-- title: IDS alert of reconnaissance or unclassified: scans, reputation lists, policy and protocol alerts
-- phase: recon
-- tactic: reconnaissance
-- technique: T1595
-- level: low
-- entity: ip
-- false_positives: most of these are internet background noise (scanners, addresses on reputation lists touching an exposed host); they matter when the same address later gets in
-- description: every IDS alert (Suricata alert, Zeek notice) that IDS_ALERT_KINDS does not call an access attempt or a compromise, so that every alert reaches a detection. hit_key = the attacker's end (ids_alert_attacker).
SELECT event_id, ids_alert_attacker(src_ip, dst_ip, attrs) AS hit_key FROM events
WHERE class = 'network_activity' AND action = 'ids_alert' AND ids_alert_kind(attrs) = 'recon' AND coalesce(src_ip, dst_ip) IS NOT NULL
