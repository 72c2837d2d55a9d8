-- id: actions.sudo_sensitive_file
-- title: sudo command touching credential files (shadow, cloud credentials, SSH keys, .pgpass, app secrets)
-- phase: actions
-- tactic: credential-access
-- technique: T1552.001
-- level: high
-- entity: local_user
-- false_positives: administrators editing application configuration
SELECT event_id, actor || '@' || host AS hit_key FROM events
WHERE source = 'auth_log' AND action IN ('sudo', 'sudo_failed') AND command IS NOT NULL
  AND regexp_matches(command, '/etc/(g)?shadow|\.aws/credentials|\.aws/config|id_(rsa|dsa|ecdsa|ed25519)\b|\.pgpass|\.my\.cnf|\.env\b|\.netrc|/etc/ssl/private|\.kube/config|\.docker/config\.json|credentials\.json|secrets?\.(ya?ml|json)|app\.env|/etc/[^ ]*/(database|db|app)[^ /]*\.(ya?ml|conf|ini|env)')
