-- id: actions.ssh_authorized_keys_change
-- title: SSH authorized_keys written through sudo
-- phase: actions
-- tactic: persistence
-- technique: T1098.004
-- level: high
-- scan: auth
-- entity: local_user
-- false_positives: key rotation by administrators
SELECT event_id, actor || '@' || host AS hit_key FROM events
WHERE action IN ('sudo', 'cron_command') AND regexp_matches(command, 'authorized_keys')
  AND regexp_matches(command, '>>|>|tee|cp |mv |echo|cat .*>|chmod|install ')
