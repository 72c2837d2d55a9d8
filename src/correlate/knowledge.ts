/**
 * What correlation knows about the world, declared once: which addresses are internal, which
 * files hold credentials, which ports are for administration, which groups are admin groups, and
 * the thresholds the footprint links use. Rules reach the same knowledge through SQL macros
 * (sql-vocabulary.ts) and `{{vocab.NAME}}` lists, so a pattern is never written twice.
 */

/**
 * Internal (non-routable or estate-internal) addresses: RFC 1918, loopback, link-local, CGNAT
 * (RFC 6598); IPv6 unique-local, link-local, loopback. One regular expression (RE2 and JS agree
 * on it) so TypeScript and SQL decide alike. Internal is not innocent: an internal address can be
 * a compromised pivot or a red team's VPN — links decide by behaviour, this only says "ours".
 */
export const PRIVATE_IP_RE = '^(10\\.|127\\.|192\\.168\\.|169\\.254\\.|172\\.(1[6-9]|2[0-9]|3[01])\\.|100\\.(6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7])\\.|[fF][cdCD][0-9a-fA-F]{0,2}:|[fF][eE][89abAB][0-9a-fA-F]?:|::1$)';
const PRIVATE_IP = new RegExp(PRIVATE_IP_RE);

export function isPrivateIp(ip: string | null | undefined): boolean {
  return !!ip && PRIVATE_IP.test(ip);
}

/** Ports of remote administration and lateral movement (SSH, RPC, SMB/NetBIOS, RDP, WinRM). */
export const ADMIN_PORTS = [22, 135, 139, 445, 3389, 5985, 5986] as const;

/**
 * Ports of services every host uses on a schedule (DNS, DHCP, NTP, NetBIOS name/datagram, SSDP,
 * mDNS, LLMNR): periodic by design, so a regular series to them is not a beacon, and the servers
 * answering on them (resolvers, time servers) are not attacker infrastructure.
 */
export const INFRASTRUCTURE_PORTS = [53, 67, 68, 123, 137, 138, 1900, 5353, 5355] as const;

/**
 * Ports every host uses with many servers (the web): that a host talks to two addresses on one of them
 * says nothing about the second (an update mirror is not the attacker's second address).
 */
export const COMMON_SERVICE_PORTS = [80, 443] as const;

/**
 * What an IDS alert says happened, by its Suricata classtype (`attrs.alert.category`), signature
 * group or Zeek notice type (`attrs.note`; SQL LIKE patterns): `compromise` (an attack that
 * worked: a command's output coming back, a trojan talking to its controller), `access` (an attempt
 * to get in: exploits, password guessing). Anything else — scans, reputation lists, policy — is
 * reconnaissance or noise (`recon`). Rules select through the SQL macro `ids_alert_kind(attrs)`.
 */
export const IDS_ALERT_KINDS = {
  compromise: {
    categories: ['Successful Administrator Privilege Gain', 'Successful User Privilege Gain', 'A Network Trojan was detected', 'Malware Command and Control Activity Detected', 'Domain Observed Used for C2 Detected', 'Successful Credential Theft Detected'],
    signatures: ['%ATTACK_RESPONSE%', '% CNC %', '%Command and Control%'],
    notes: ['SSH::Login_By_Password_Guesser'],
  },
  access: {
    categories: ['Attempted Administrator Privilege Gain', 'Attempted User Privilege Gain', 'Web Application Attack', 'Executable code was detected', 'Exploit Kit Activity Detected', 'Attempted Credential Theft Detected'],
    signatures: ['%EXPLOIT%'],
    notes: ['SSH::Password_Guessing'],
  },
} as const;

/** Local groups that grant administration. */
export const ADMIN_GROUPS = ['sudo', 'wheel', 'admin', 'root', 'adm', 'docker', 'lxd'] as const;

export type CredentialKind = 'local_password' | 'ssh_key' | 'access_key' | 'db_password' | 'secret';

/**
 * Files that hold credentials, with what a read of each exposes. `pattern` finds the path in a
 * command line (JS and RE2 alike). Reading one through sudo is `actions.sudo_sensitive_file`;
 * in an attacker session it puts the credential on the list to rotate.
 */
export const CREDENTIAL_FILES: readonly { pattern: string; kind: CredentialKind; what: string }[] = [
  { pattern: '/etc/g?shadow', kind: 'local_password', what: 'every local password hash on the host' },
  { pattern: '[~\\w./-]*\\.aws/credentials', kind: 'access_key', what: 'AWS credentials file: every key in it' },
  { pattern: '[~\\w./-]*\\.aws/config', kind: 'access_key', what: 'AWS config (may hold keys and role settings)' },
  { pattern: '[~\\w./-]*\\.boto|[~\\w./-]*\\.s3cfg', kind: 'access_key', what: 'cloud storage client credentials' },
  { pattern: '[~\\w./-]*id_(rsa|dsa|ecdsa|ed25519)\\b', kind: 'ssh_key', what: 'private SSH key' },
  { pattern: '[~\\w./-]*\\.pgpass|[~\\w./-]*\\.my\\.cnf', kind: 'db_password', what: 'database client password file' },
  { pattern: '[\\w./-]*app\\.env|[\\w./-]*\\.env\\b', kind: 'db_password', what: 'application environment file (database credentials)' },
  { pattern: '[~\\w./-]*\\.netrc', kind: 'secret', what: 'netrc login credentials' },
  { pattern: '/etc/ssl/private[\\w./-]*', kind: 'secret', what: 'TLS private keys' },
  { pattern: '[~\\w./-]*\\.kube/config|[~\\w./-]*\\.docker/config\\.json', kind: 'secret', what: 'cluster or registry credentials' },
  { pattern: '[\\w./-]*credentials\\.json|[\\w./-]*secrets?\\.(ya?ml|json)', kind: 'secret', what: 'application secrets file' },
  { pattern: '/etc/[^ ]*/(database|db|app)[^ /]*\\.(ya?ml|conf|ini|env)', kind: 'db_password', what: 'application database configuration' },
];

/** The same, compiled for TypeScript. */
export const CREDENTIAL_FILE_PATTERNS = CREDENTIAL_FILES.map((c) => ({ ...c, re: new RegExp(c.pattern) }));

/** Any credential file, as one expression (JS/RE2). */
export const CREDENTIAL_FILE_RE = CREDENTIAL_FILES.map((c) => `(${c.pattern})`).join('|');

/** Cloud credential files: a read makes keys that are then used from new addresses the attacker's. */
export const CLOUD_CREDENTIAL_FILE = /[~\w./-]*(\.aws\/credentials|\.aws\/config|\.boto|\.s3cfg)/;

/**
 * Configuration files read in an attacker session are compromised data even when they hold no
 * credential: under /etc or an application's own etc directory (`/opt/app/etc/app.yaml`, whole).
 */
export const SENSITIVE_CONFIG_FILE = '[\\w.-]*(?:/[\\w.-]+)*/etc/[\\w./-]+\\.(conf|ya?ml|ini|env|json)';

/** Shell commands that read (or copy out) a file's content. */
export const FILE_READ_COMMAND = /\b(cat|less|more|head|tail|cp|scp|base64|xxd|strings|vi|vim|nano|grep|tar|zip|openssl)\b/;

/** Thresholds of the footprint links (rules keep theirs in their headers, as parameters). */
export const THRESHOLDS = {
  /** An address that logged in as this many different accounts is shared (an office NAT). */
  sharedAddressAccounts: 3,
  /** Bytes to one new external address from a compromised host that count as exfiltration. */
  exfilBytes: 1_000_000,
  /** Margin around the attacker's time on a host for what it caused there (uploads, scans), µs. */
  hostWindowMarginUs: 15 * 60e6,
  /** Distinct internal (address, port) targets from one host within sweepWindowUs that make a sweep. */
  sweepTargets: 10,
  sweepWindowUs: 600e6,
  /** Failed attempts on one account before a login that make it a brute force (not a typo). */
  bruteForceAttempts: 3,
  /** Failures before a login that the initial-access answer calls a brute force. */
  bruteForceVector: 5,
  /** How far a flow record may lie from the connection a host logged (flow logs aggregate), µs. */
  flowBeforeUs: 15 * 60e6,
  flowAfterUs: 5 * 60e6,
  /**
   * --auto: an address that logged in on this many days, over at least this many days, before the
   * first detection is its owner's (weeks of routine logins), unless the detection flagged an
   * account it never used.
   */
  ownerBaselineDays: 5,
  ownerBaselineSpanDays: 7,
  /**
   * Network-only evidence (links/network-victims.ts): failed connections an internal host made to an
   * attacker address that count as repeated C2 attempts, and what a connection from an attacker
   * address must carry to be a session rather than a probe or a banner grab (both directions).
   */
  c2Attempts: 3,
  sessionBytes: 4096,
  /** Internal clients of one address:port that make it a service every host talks to (not a victim, not C2). */
  sharedServiceClients: 3,
  /** Other attacker addresses taken per victim through "same way" contact (a bound on the search). */
  secondAddressesPerHost: 5,
  /** A network-only flow this large from an internal host is exfiltration by itself (phase tagging). */
  largeFlowBytes: 10_000_000,
} as const;
