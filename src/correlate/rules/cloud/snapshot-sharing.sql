-- id: exfiltration.cloud_snapshot_shared
-- title: Snapshot or image shared with another account or made public
-- phase: exfiltration
-- tactic: exfiltration
-- technique: T1537
-- level: critical
-- entity: iam_principal
-- false_positives: sharing AMIs or snapshots with your own other accounts (check the account id)
SELECT event_id, CASE WHEN actor LIKE 'arn:aws:sts::%:assumed-role/%' THEN regexp_replace(actor, '^arn:aws:sts::(\d+):assumed-role/([^/]+)/.*$', 'arn:aws:iam::\1:role/\2') ELSE actor END AS hit_key FROM events
WHERE source = 'cloudtrail' AND outcome = 'success'
  AND regexp_matches(action, ':(ModifySnapshotAttribute|ModifyImageAttribute|ModifyDBSnapshotAttribute|ModifyDBClusterSnapshotAttribute|PutBucketPolicy|PutBucketAcl)$')
  AND regexp_matches(CAST(attrs->'request_parameters' AS VARCHAR), '(?i)(createVolumePermission|launchPermission|"add"|restore|"all"|"Principal":\s*"\*"|AllUsers|AuthenticatedUsers|\d{12})')
