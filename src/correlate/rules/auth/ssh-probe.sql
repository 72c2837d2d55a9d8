-- id: recon.ssh_probe
-- title: SSH probes: connections that never authenticate (banner grabs, non-SSH clients)
-- phase: recon
-- tactic: reconnaissance
-- technique: T1595
-- level: low
-- scan: auth
-- entity: ip
-- false_positives: authorised vulnerability scanners, uptime monitors
SELECT event_id, src_ip AS hit_key FROM events
WHERE action IN ('ssh_no_identification', 'ssh_bad_protocol', 'ssh_negotiation_failed') AND src_ip IS NOT NULL
