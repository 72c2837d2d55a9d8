-- id: actions.local_account_created
-- title: Local account created or added to an admin group
-- phase: actions
-- tactic: persistence
-- technique: T1136.001
-- level: high
-- scan: auth
-- entity: local_user
-- false_positives: provisioning by configuration management (usually at known times, from known sessions)
SELECT event_id, target || '@' || host AS hit_key FROM events
WHERE outcome = 'success' AND target IS NOT NULL
  AND (action = 'user_created'
       OR (action = 'group_member_added' AND (attrs->>'group') IN {{vocab.admin_groups}}))
