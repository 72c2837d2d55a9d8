-- id: actions.cloud_iam_persistence
-- title: IAM persistence or privilege escalation: keys, users, console passwords, policies
-- phase: actions
-- tactic: persistence
-- technique: T1098.001
-- level: high
-- scan: cloud
-- entity: iam_principal
-- false_positives: identity administration by admins or infrastructure-as-code (known principals, change tickets)
SELECT event_id, cloud_identity(actor) AS hit_key FROM events
WHERE is_cloud_call(action) AND outcome = 'success'
  AND regexp_matches(action, ':(CreateAccessKey|CreateUser|CreateLoginProfile|UpdateLoginProfile|AttachUserPolicy|PutUserPolicy|AttachRolePolicy|PutRolePolicy|UpdateAssumeRolePolicy|AddUserToGroup|AttachGroupPolicy|PutGroupPolicy|CreatePolicyVersion|SetDefaultPolicyVersion)$')
