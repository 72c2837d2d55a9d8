-- id: actions.cron_persistence
-- title: crontab or cron files changed
-- phase: actions
-- tactic: persistence
-- technique: T1053.003
-- level: medium
-- scan: auth
-- entity: local_user
-- false_positives: administrators scheduling jobs; package installs
SELECT event_id, coalesce(actor, 'root') || '@' || host AS hit_key FROM events
WHERE (action IN {{vocab.crontab_write}}
       -- Writing a cron file or installing a crontab (reading or removing one is not persistence).
       OR (action = 'sudo' AND (regexp_matches(command, 'crontab\s+(-u\s+\S+\s+)?(-e|-r\b)?\s*[^-\s]') AND NOT regexp_matches(command, 'crontab\s+(-u\s+\S+\s+)?-l')
                                OR regexp_matches(command, '(>|\btee\b|\bcp\b|\bmv\b|\binstall\b)[^|;]*(/etc/cron|/var/spool/cron)'))))
