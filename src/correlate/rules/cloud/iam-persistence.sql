-- id: actions.cloud_iam_persistence
-- title: IAM persistence or privilege escalation: keys, users, console passwords, policies
-- phase: actions
-- tactic: persistence
-- technique: T1098.001
-- level: high
-- entity: iam_principal
-- false_positives: identity administration by admins or infrastructure-as-code (known principals, change tickets)
SELECT event_id, CASE WHEN actor LIKE 'arn:aws:sts::%:assumed-role/%' THEN regexp_replace(actor, '^arn:aws:sts::(\d+):assumed-role/([^/]+)/.*$', 'arn:aws:iam::\1:role/\2') ELSE actor END AS hit_key FROM events
WHERE source = 'cloudtrail' AND outcome = 'success'
  AND regexp_matches(action, ':(CreateAccessKey|CreateUser|CreateLoginProfile|UpdateLoginProfile|AttachUserPolicy|PutUserPolicy|AttachRolePolicy|PutRolePolicy|UpdateAssumeRolePolicy|AddUserToGroup|AttachGroupPolicy|PutGroupPolicy|CreatePolicyVersion|SetDefaultPolicyVersion)$')
