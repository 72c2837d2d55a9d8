/**
 * CloudTrail `userIdentity` → who acted: the principal (actor), the key used, the session, MFA,
 * and for role sessions the role they came from (the session issuer).
 *
 * Reference: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html
 */

export interface Identity {
  actor: string | null;
  accessKey: string | null;
  session: string | null;
  /** Fields for attrs (only those the record states). */
  attrs: Record<string, unknown>;
}

type Obj = Record<string, unknown>;

export function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

export function obj(v: unknown): Obj | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : null;
}

/** `20131102T010628Z` (basic ISO form, seen in older records) → `2013-11-02T01:06:28Z`; others as written. */
export function normalizeCreationDate(v: string): string {
  const m = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)(Z)$/.exec(v);
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z` : v;
}

function flag(v: unknown): boolean | null {
  if (v === true || v === 'true' || v === 'Yes' || v === 'yes') return true;
  if (v === false || v === 'false' || v === 'No' || v === 'no') return false;
  return null;
}

/** The part of an ARN after the resource type: `assumed-role/Role/Session` of `arn:aws:sts::1:assumed-role/Role/Session`. */
export function arnResource(arn: string): string {
  const parts = arn.split(':');
  return parts.length >= 6 ? parts.slice(5).join(':') : arn;
}

export function readIdentity(ui: Obj | null): Identity {
  const attrs: Record<string, unknown> = {};
  if (!ui) return { actor: null, accessKey: null, session: null, attrs };
  const type = str(ui.type);
  const arn = str(ui.arn);
  const userName = str(ui.userName);
  const principalId = str(ui.principalId);
  const accountId = str(ui.accountId);
  const invokedBy = str(ui.invokedBy);
  const accessKey = str(ui.accessKeyId);
  const sc = obj(ui.sessionContext);
  const issuer = obj(sc?.sessionIssuer);
  const sa = obj(sc?.attributes);
  const onBehalfOf = obj(ui.onBehalfOf);

  if (type) attrs.identity_type = type;
  if (principalId) attrs.principal_id = principalId;
  if (accountId) attrs.account = accountId;
  if (userName) attrs.user_name = userName;
  if (invokedBy) attrs.invoked_by = invokedBy;
  if (str(ui.identityProvider)) attrs.identity_provider = ui.identityProvider;
  if (str(ui.credentialId)) attrs.credential_id = ui.credentialId;
  if (str(ui.identityStoreArn)) attrs.identity_store_arn = ui.identityStoreArn;
  if (onBehalfOf && Object.keys(onBehalfOf).length > 0) attrs.on_behalf_of = onBehalfOf;

  const issuerArn = str(issuer?.arn);
  if (issuer && issuerArn) {
    attrs.issuer_arn = issuerArn;
    if (str(issuer.type)) attrs.issuer_type = issuer.type;
    if (str(issuer.userName)) attrs.issuer_name = issuer.userName;
    if (str(issuer.accountId)) attrs.issuer_account = issuer.accountId;
    if (str(issuer.principalId)) attrs.issuer_principal_id = issuer.principalId;
  }
  const creation = str(sa?.creationDate);
  const created = creation ? normalizeCreationDate(creation) : null;
  if (created) attrs.session_created = created;
  const mfa = flag(sa?.mfaAuthenticated);
  if (mfa !== null) attrs.mfa = mfa;
  if (str(sc?.sourceIdentity)) attrs.source_identity = sc!.sourceIdentity;
  const webId = obj(sc?.webIdFederationData);
  if (webId && Object.keys(webId).length > 0) attrs.web_id_federation = webId;
  if (sc?.ec2RoleDelivery !== undefined) attrs.ec2_role_delivery = sc.ec2RoleDelivery;

  let actor: string | null;
  let sessionName: string | null = null;
  switch (type) {
    case 'IAMUser':
      actor = arn ?? userName ?? principalId;
      sessionName = userName ?? (arn ? arnResource(arn) : null);
      break;
    case 'AssumedRole':
    case 'FederatedUser':
      actor = arn ?? principalId;
      // assumed-role/Role/Session, federated-user/Name
      sessionName = arn ? arnResource(arn) : principalId;
      break;
    case 'Root':
      actor = arn ?? principalId ?? accountId;
      sessionName = 'root';
      break;
    case 'AWSService':
      actor = invokedBy ?? principalId;
      break;
    case 'AWSAccount':
      actor = principalId ?? accountId;
      break;
    case 'SAMLUser':
    case 'WebIdentityUser':
      actor = userName ?? principalId;
      sessionName = actor;
      break;
    case 'IdentityCenterUser':
      actor = userName ?? str(onBehalfOf?.userId) ?? principalId;
      break;
    default:
      actor = arn ?? userName ?? principalId ?? invokedBy ?? accountId;
      sessionName = arn ? arnResource(arn) : userName;
  }
  // A session is named by its principal and when it was created (the same for every call made
  // with its temporary key); Identity Center sessions by their credential id.
  let session: string | null = null;
  if (created && sessionName) session = `${sessionName}@${created}`;
  else if (type === 'IdentityCenterUser' && str(ui.credentialId)) session = ui.credentialId as string;
  return { actor, accessKey, session, attrs };
}

export { flag as readFlag };
