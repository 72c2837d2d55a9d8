-- id: exfiltration.cloud_snapshot_shared
-- title: Snapshot or image shared with another account or made public
-- phase: exfiltration
-- tactic: exfiltration
-- technique: T1537
-- level: critical
-- scan: cloud
-- entity: iam_principal
-- false_positives: sharing AMIs or snapshots with your own other accounts (check the account id)
SELECT event_id, cloud_identity(actor) AS hit_key FROM events
WHERE is_cloud_call(action) AND outcome = 'success'
  AND regexp_matches(action, ':(ModifySnapshotAttribute|ModifyImageAttribute|ModifyDBSnapshotAttribute|ModifyDBClusterSnapshotAttribute|PutBucketPolicy|PutBucketAcl)$')
  AND regexp_matches(CAST(attrs->'request_parameters' AS VARCHAR), '(?i)(createVolumePermission|launchPermission|"add"|restore|"all"|"Principal":\s*"\*"|AllUsers|AuthenticatedUsers|\d{12})')
