-- id: actions.sudo_root_shell
-- title: sudo to a root shell
-- phase: actions
-- tactic: privilege-escalation
-- technique: T1548.003
-- level: medium
-- scan: auth
-- entity: local_user
-- false_positives: administrators who work in root shells (habit, but worth knowing during an incident)
SELECT event_id, actor || '@' || host AS hit_key FROM events
WHERE action = 'sudo' AND (target = 'root' OR target IS NULL)
  AND regexp_matches(command, '^(\S*/)?(ba|z|k|c|tc|da)?sh( +-[a-z]*[il][a-z]*)?\s*$|^(\S*/)?su(\s+-|\s+root|\s*$)|^(\S*/)?(sudo\s+)?-[is]\s*$')
