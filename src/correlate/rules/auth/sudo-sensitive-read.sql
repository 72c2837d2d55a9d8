-- id: actions.sudo_sensitive_file
-- title: sudo command touching credential files (shadow, cloud credentials, SSH keys, .pgpass, app secrets)
-- phase: actions
-- tactic: credential-access
-- technique: T1552.001
-- level: high
-- scan: auth
-- entity: local_user
-- false_positives: administrators editing application configuration
SELECT event_id, actor || '@' || host AS hit_key FROM events
WHERE action IN ('sudo', 'sudo_failed') AND command IS NOT NULL AND credential_file(command)
