/**
 * Block lists from the plan's addresses (attacker sources and exfiltration destinations, canonical,
 * validated): a plain list, an nftables ruleset (`nft -f`), iptables/ip6tables commands, AWS network
 * ACL deny entries (security groups cannot deny, so a NACL it is), and AWS WAFv2 IP sets.
 */
import type { MitigationPlan } from './plan.js';
import { comment, header, shellQuote } from './text.js';

export interface RenderCtx {
  generatedAt: string;
}

function rejectedLines(p: MitigationPlan): string[] {
  return p.rejected.filter((r) => r.what === 'address').map((r) => comment(`not used (${r.why}): ${r.value}`));
}

export function renderBlocklist(p: MitigationPlan, c: RenderCtx): string {
  return [...header('address block list, one per line', c.generatedAt, p.caseFrom), ...rejectedLines(p), ...p.addresses.map((a) => a.ip), ''].join('\n');
}

export function renderNft(p: MitigationPlan, c: RenderCtx): string {
  const v4 = p.addresses.filter((a) => a.version === 4).map((a) => a.ip);
  const v6 = p.addresses.filter((a) => a.version === 6).map((a) => a.ip);
  const set = (name: string, type: string, xs: string[]) => [`  set ${name} {`, `    type ${type}`, ...(xs.length ? [`    elements = { ${xs.join(', ')} }`] : []), '  }'];
  return [
    ...header('nftables ruleset: nft -c -f FILE checks it, nft -f FILE loads it', c.generatedAt, p.caseFrom),
    ...rejectedLines(p),
    ...p.addresses.map((a) => comment(`${a.ip}: ${a.roles.join(', ')}`)),
    'table inet dwell_block {',
    ...set('attacker_v4', 'ipv4_addr', v4),
    ...set('attacker_v6', 'ipv6_addr', v6),
    '  chain input {',
    '    type filter hook input priority filter - 10; policy accept;',
    '    ip saddr @attacker_v4 drop',
    '    ip6 saddr @attacker_v6 drop',
    '  }',
    '  chain forward {',
    '    type filter hook forward priority filter - 10; policy accept;',
    '    ip saddr @attacker_v4 drop',
    '    ip daddr @attacker_v4 drop',
    '    ip6 saddr @attacker_v6 drop',
    '    ip6 daddr @attacker_v6 drop',
    '  }',
    '  chain output {',
    '    type filter hook output priority filter - 10; policy accept;',
    '    ip daddr @attacker_v4 drop',
    '    ip6 daddr @attacker_v6 drop',
    '  }',
    '}',
    '',
  ].join('\n');
}

export function renderIptables(p: MitigationPlan, c: RenderCtx): string {
  const lines = ['#!/bin/sh', ...header('iptables/ip6tables commands (sh FILE as root)', c.generatedAt, p.caseFrom), 'set -eu', ...rejectedLines(p)];
  for (const a of p.addresses) {
    const t = a.version === 4 ? 'iptables' : 'ip6tables';
    lines.push(comment(`${a.ip}: ${a.roles.join(', ')}`));
    lines.push(`${t} -I INPUT -s ${shellQuote(a.ip)} -j DROP`, `${t} -I FORWARD -s ${shellQuote(a.ip)} -j DROP`, `${t} -I FORWARD -d ${shellQuote(a.ip)} -j DROP`, `${t} -I OUTPUT -d ${shellQuote(a.ip)} -j DROP`);
  }
  return lines.join('\n') + '\n';
}

/** Network ACL rule numbers dwell uses (low numbers are evaluated first; AWS allows 1–32766). */
const NACL_FIRST_RULE = 50;

export function renderAwsCli(p: MitigationPlan, c: RenderCtx): string {
  const lines = [
    '#!/bin/sh',
    ...header('AWS network ACL deny entries (security groups cannot deny)', c.generatedAt, p.caseFrom),
    comment('Set NACL_ID to the network ACL of the affected subnets; rule numbers start at 50: check they are free.'),
    'set -eu',
    ': "${NACL_ID:?set NACL_ID to the network ACL to update, e.g. acl-0123456789abcdef0}"',
    ...rejectedLines(p),
  ];
  let rule = NACL_FIRST_RULE;
  for (const a of p.addresses) {
    const cidr = a.version === 4 ? `--cidr-block ${shellQuote(`${a.ip}/32`)}` : `--ipv6-cidr-block ${shellQuote(`${a.ip}/128`)}`;
    lines.push(comment(`${a.ip}: ${a.roles.join(', ')}`));
    for (const dir of ['--ingress', '--egress']) lines.push(`aws ec2 create-network-acl-entry --network-acl-id "$NACL_ID" ${dir} --rule-number ${rule} --protocol -1 ${cidr} --rule-action deny`);
    rule++;
  }
  return lines.join('\n') + '\n';
}

/** One `aws wafv2 create-ip-set --cli-input-json` input per address family that has addresses. */
export function renderWafJson(p: MitigationPlan, c: RenderCtx): string {
  const sets = ([4, 6] as const)
    .map((v) => ({ v, xs: p.addresses.filter((a) => a.version === v) }))
    .filter((s) => s.xs.length > 0)
    .map((s) => ({
      Name: `dwell-attackers-v${s.v}`,
      Scope: 'REGIONAL',
      Description: `Attacker and exfiltration addresses from dwell findings (${c.generatedAt.slice(0, 10)})`,
      IPAddressVersion: s.v === 4 ? 'IPV4' : 'IPV6',
      Addresses: s.xs.map((a) => `${a.ip}/${s.v === 4 ? 32 : 128}`),
    }));
  return JSON.stringify(sets, null, 2) + '\n';
}
