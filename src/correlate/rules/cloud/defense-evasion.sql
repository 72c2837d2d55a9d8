-- id: actions.cloud_logging_disabled
-- title: Cloud logging or security monitoring stopped or weakened
-- phase: actions
-- tactic: defense-evasion
-- technique: T1562.008
-- level: critical
-- scan: cloud
-- entity: iam_principal
-- false_positives: planned trail or detector reconfiguration (rare; should have a change ticket)
SELECT event_id, cloud_identity(actor) AS hit_key FROM events
WHERE is_cloud_call(action) AND outcome = 'success'
  AND regexp_matches(action, '^(cloudtrail\.amazonaws\.com:(StopLogging|DeleteTrail|UpdateTrail|PutEventSelectors|PutInsightSelectors)|ec2\.amazonaws\.com:DeleteFlowLogs|guardduty\.amazonaws\.com:(DeleteDetector|UpdateDetector|DisassociateFromMasterAccount|DisassociateFromAdministratorAccount|DeleteMembers|StopMonitoringMembers|CreateIPSet|UpdateIPSet|CreateFilter|UpdateFilter|ArchiveFindings)|config\.amazonaws\.com:(StopConfigurationRecorder|DeleteConfigurationRecorder|DeleteDeliveryChannel|DeleteConfigRule)|securityhub\.amazonaws\.com:(DisableSecurityHub|BatchUpdateFindings)|logs\.amazonaws\.com:(DeleteLogGroup|DeleteLogStream))$')
