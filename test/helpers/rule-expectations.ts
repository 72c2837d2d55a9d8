/**
 * Each rule on the scenario: it fires on the attacker where the story gives it something to see,
 * and stays silent on the traps built to look like what it detects (listed per rule). Rules that
 * cannot tell a trap from an attack say so in their false_positives and are not asserted silent.
 */
export const SCENARIO_RULES: Record<string, { hits: string[]; silentOn: string[] }> = {
  'access.ssh_bruteforce': { hits: ['203.0.113.77'], silentOn: ['192.0.2.10', '192.0.2.200'] },
  'access.ssh_password_spraying': { hits: ['203.0.113.77'], silentOn: ['192.0.2.10', '192.0.2.200'] },
  'access.ssh_success_after_bruteforce': { hits: ['203.0.113.77'], silentOn: ['192.0.2.10', '192.0.2.200', '192.0.2.77'] },
  'recon.ssh_user_enumeration': { hits: ['203.0.113.77'], silentOn: ['192.0.2.10'] },
  'recon.ssh_probe': { hits: [], silentOn: ['192.0.2.10'] },
  'access.login_from_new_address': { hits: ['203.0.113.77'], silentOn: ['192.0.2.10'] },
  'actions.sudo_sensitive_file': { hits: ['deploy@bastion-01', 'deploy@web-01'], silentOn: ['alice@bastion-01'] },
  'actions.local_account_created': { hits: ['sysupdate@bastion-01'], silentOn: [] },
  'actions.ssh_authorized_keys_change': { hits: ['deploy@bastion-01'], silentOn: ['alice@bastion-01'] },
  'actions.cron_persistence': { hits: ['deploy@bastion-01'], silentOn: ['alice@bastion-01'] },
  'recon.cloud_discovery_burst': { hits: ['arn:aws:iam::111122223333:role/ops-automation'], silentOn: ['arn:aws:iam::111122223333:role/ci-deployer', 'arn:aws:iam::111122223333:role/shop-web-role'] },
  'access.cloud_key_new_address': { hits: ['AKIAQ3EGRX7KWNPD5H2Z'], silentOn: [] },
  'actions.cloud_iam_persistence': { hits: ['arn:aws:iam::111122223333:role/ops-automation'], silentOn: ['arn:aws:iam::111122223333:user/alice'] },
  'actions.cloud_logging_disabled': { hits: ['arn:aws:iam::111122223333:user/support-audit'], silentOn: [] },
  'actions.cloud_secret_read_new_reader': { hits: ['arn:aws:iam::111122223333:role/ops-automation'], silentOn: ['arn:aws:iam::111122223333:role/shop-web-role'] },
  'exfiltration.s3_bulk_download': { hits: ['arn:aws:iam::111122223333:user/support-audit'], silentOn: ['arn:aws:iam::111122223333:role/shop-web-role', 'arn:aws:iam::111122223333:role/db-backup-role'] },
  'recon.cloud_access_denied_burst': { hits: ['arn:aws:iam::111122223333:user/svc-bastion-ops'], silentOn: ['arn:aws:iam::111122223333:role/ci-deployer'] },
  'recon.db_catalog_recon': { hits: ['shop_app', 'dbsync'], silentOn: ['backup'] },
  'exfiltration.db_sensitive_bulk_read': { hits: ['shop_app'], silentOn: ['backup'] },
  'exfiltration.db_data_export': { hits: ['shop_app'], silentOn: ['backup'] },
  'actions.db_privilege_change': { hits: ['shop_app'], silentOn: ['backup', 'postgres'] },
  'access.db_role_new_client': { hits: ['shop_app'], silentOn: ['backup'] },
  'recon.port_scan': { hits: ['203.0.113.77'], silentOn: ['192.0.2.200'] },
  'access.connection_after_scan': { hits: ['203.0.113.77'], silentOn: ['192.0.2.200', '10.0.0.10'] },
  'exfiltration.large_egress_new_destination': { hits: ['198.51.100.9'], silentOn: ['3.5.137.184', '3.5.136.121', '52.219.170.46', '52.219.171.22', '52.219.168.94'] },
  'recon.internal_network_sweep': { hits: ['10.0.1.11'], silentOn: ['10.0.0.10'] },
};

/** Rules tested on events written for them (test/correlate/rules-unit.test.ts). */
export const UNIT_TESTED_RULES = ['access.ssh_success_after_connection_burst', 'actions.sudo_root_shell', 'actions.su_root', 'access.login_unusual_hour', 'exfiltration.cloud_snapshot_shared', 'access.db_auth_failure_burst'];
