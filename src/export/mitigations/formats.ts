/**
 * `dwell export --what mitigations --format blocklist|nft|iptables|aws-cli|waf-json|revoke-sh|sigma`:
 * artefacts for a person to review and apply, built from the case's newest findings (plan.ts).
 * dwell never runs them. docs/report.md describes each and how to check it (sh -n, nft -c).
 */
import type { Findings } from '../../correlate/findings-types.js';
import type { CaseDb } from '../../store/case-db.js';
import { latestFindings } from '../latest-findings.js';
import { withSink } from '../line-export.js';
import type { ExportContext, ExportFormat } from '../types.js';
import { renderAwsCli, renderBlocklist, renderIptables, renderNft, renderWafJson } from './network.js';
import { buildPlan, type MitigationPlan } from './plan.js';
import { renderRevokeSh } from './revoke.js';
import { buildSigma, renderSigma, type CloudCall } from './sigma.js';

/** The attacker's CloudTrail calls per technique, from the newest findings' attack events. */
export async function cloudCalls(db: CaseDb): Promise<CloudCall[]> {
  const rows = await db.all<{ action: string; technique: string }>(
    `SELECT DISTINCT e.action, a.technique FROM attack_events a JOIN events e USING (event_id)
     WHERE a.findings_id = (SELECT max(findings_id) FROM findings) AND a.technique IS NOT NULL AND e.source = 'cloudtrail' AND e.action LIKE '%:%'
     ORDER BY 2, 1`,
  );
  return rows
    .map((r) => ({ service: r.action.split(':')[0]!, name: r.action.slice(r.action.indexOf(':') + 1), technique: r.technique }))
    .filter((c) => /^[a-z0-9-]+\.amazonaws\.com$/.test(c.service) && /^[A-Za-z0-9]+$/.test(c.name) && /^T\d{4}(\.\d{3})?$/.test(c.technique));
}

function mitigation(name: string, description: string, render: (p: MitigationPlan, f: Findings, db: CaseDb) => Promise<string> | string, count: (p: MitigationPlan) => number, unit: string): ExportFormat {
  return {
    name,
    whats: ['mitigations'],
    description,
    target: 'file',
    filtered: false,
    async run(ctx: ExportContext) {
      const { body } = await latestFindings(ctx.db);
      const plan = buildPlan(body);
      const text = await render(plan, body, ctx.db);
      await withSink(ctx, (sink) => sink.write(text));
      return { count: count(plan), unit, notes: plan.rejected.length ? [`${plan.rejected.length} value(s) did not validate and are only listed as comments`] : undefined };
    },
  };
}

const at = (f: Findings) => ({ generatedAt: f.generated_at });
const addresses = (p: MitigationPlan) => p.addresses.length;

export const MITIGATION_FORMATS: readonly ExportFormat[] = [
  mitigation('blocklist', 'attacker and exfiltration addresses, one per line', (p, f) => renderBlocklist(p, at(f)), addresses, 'addresses'),
  mitigation('nft', 'nftables ruleset (table inet dwell_block): nft -c -f FILE checks it', (p, f) => renderNft(p, at(f)), addresses, 'addresses'),
  mitigation('iptables', 'iptables/ip6tables commands (sh script)', (p, f) => renderIptables(p, at(f)), addresses, 'addresses'),
  mitigation('aws-cli', 'AWS network ACL deny entries (sh script of aws ec2 create-network-acl-entry)', (p, f) => renderAwsCli(p, at(f)), addresses, 'addresses'),
  mitigation('waf-json', 'AWS WAFv2 IP sets (aws wafv2 create-ip-set --cli-input-json inputs)', (p, f) => renderWafJson(p, at(f)), addresses, 'addresses'),
  mitigation('revoke-sh', 'credential revocation plan: commented sh script (keys, IAM users, role sessions, local and database accounts, keys and cron to remove)', (p, f) => renderRevokeSh(p, at(f)), (p) => p.keysUsed.length + p.keysCreated.length + p.iamUsersCreated.length + p.loginProfiles.length + p.roles.length + p.localUsersCreated.length + p.localUsersUsed.length + p.dbRolesCreated.length + p.dbRolesUsed.length + p.authorizedKeys.length + p.cron.length, 'items'),
  mitigation('sigma', 'Sigma rules (YAML, spec v2.1) for the attacker indicators and techniques, per log source of the case', async (p, f, db) => renderSigma(buildSigma(p, f, await cloudCalls(db)), f.generated_at), () => 1, 'rule file'),
];
