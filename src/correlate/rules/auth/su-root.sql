-- id: actions.su_root
-- title: su to root from another account
-- phase: actions
-- tactic: privilege-escalation
-- technique: T1548
-- level: low
-- scan: auth
-- entity: local_user
-- false_positives: administrators using su
SELECT event_id, actor || '@' || host AS hit_key FROM events
WHERE action = 'su' AND outcome = 'success' AND target = 'root' AND actor IS NOT NULL AND actor <> 'root'
