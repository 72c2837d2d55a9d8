-- id: actions.cron_persistence
-- title: crontab or cron files changed
-- phase: actions
-- tactic: persistence
-- technique: T1053.003
-- level: medium
-- entity: local_user
-- false_positives: administrators scheduling jobs; package installs
SELECT event_id, coalesce(actor, 'root') || '@' || host AS hit_key FROM events
WHERE source = 'auth_log'
  AND (action IN ('crontab_replace', 'crontab_delete', 'crontab_end_edit')
       OR (action = 'sudo' AND regexp_matches(command, 'crontab\s+(-[a-z]*\s+)*[^-l]|/etc/cron|/var/spool/cron')))
