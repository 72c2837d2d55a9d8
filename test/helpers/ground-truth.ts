/**
 * Compares findings with a scenario's ground truth (expected.json, docs/findings.md): everything
 * expected must be found (times exact to the second), and no trap may appear where it must not.
 * Returns the list of differences (empty = match), so a failing test prints all of them at once.
 */
type Any = Record<string, any>;

const sec = (t: unknown) => (typeof t === 'string' ? t.replace(/\.\d+Z$/, 'Z') : t);

export function compareWithGroundTruth(findings: Any, expected: Any): string[] {
  const diffs: string[] = [];
  for (const [k, v] of Object.entries(expected.answers ?? {})) {
    if (v === null || v === undefined) continue;
    const got = findings.answers?.[k];
    if (k === 'initial_access_vector') {
      if (typeof v === 'string' && typeof got === 'string') {
        for (const word of v.toLowerCase().match(/\b(ssh|brute|force|key|access|console|password)\b/g) ?? []) if (!got.toLowerCase().includes(word)) diffs.push(`answers.${k}: "${got}" lacks "${word}" (expected "${v}")`);
      }
      continue;
    }
    if (sec(got) !== sec(v)) diffs.push(`answers.${k}: got ${JSON.stringify(got)}, expected ${JSON.stringify(v)}`);
  }
  const has = (list: Any[] | undefined, pred: (x: Any) => boolean) => (list ?? []).some(pred);
  for (const e of expected.entities ?? []) {
    if (!has(findings.entities, (x) => x.kind === e.kind && x.value === e.value && (e.host == null || x.host === e.host))) diffs.push(`entity missing: ${e.kind} ${e.value}${e.host ? '@' + e.host : ''}`);
  }
  for (const b of expected.backdoors ?? []) {
    const got = (findings.backdoors ?? []).find((x: Any) => x.kind === b.kind && (x.value === b.value || String(x.value).includes(b.value)) && (b.host == null || x.host === b.host));
    if (!got) diffs.push(`backdoor missing: ${b.kind} ${b.value}${b.host ? ' on ' + b.host : ''}`);
    else {
      if (b.used_after_containment !== undefined && got.used_after_containment !== b.used_after_containment) diffs.push(`backdoor ${b.kind} ${b.value}: used_after_containment ${got.used_after_containment}, expected ${b.used_after_containment}`);
      if (b.created_at && sec(got.created_at) !== sec(b.created_at)) diffs.push(`backdoor ${b.kind} ${b.value}: created_at ${got.created_at}, expected ${b.created_at}`);
    }
  }
  for (const c of expected.compromised_data ?? []) {
    const got = (findings.compromised_data ?? []).filter((x: Any) => x.kind === c.kind && x.value === c.value && (c.host == null || x.host === c.host));
    if (got.length === 0) {
      diffs.push(`compromised data missing: ${c.kind} ${c.value}${c.host ? ' on ' + c.host : ''}`);
      continue;
    }
    if (c.access && !got.some((x: Any) => x.access === c.access)) diffs.push(`compromised ${c.kind} ${c.value}: access ${got.map((x: Any) => x.access).join('/')}, expected ${c.access}`);
    const match = got.find((x: Any) => !c.access || x.access === c.access) ?? got[0];
    if (c.rows != null && match.rows !== c.rows) diffs.push(`compromised ${c.kind} ${c.value}: rows ${match.rows}, expected ${c.rows}`);
    if (c.bytes != null && match.bytes !== c.bytes) diffs.push(`compromised ${c.kind} ${c.value}: bytes ${match.bytes}, expected ${c.bytes}`);
  }
  for (const c of expected.credentials_to_rotate ?? []) {
    if (!has(findings.credentials_to_rotate, (x) => x.kind === c.kind && (x.value === c.value || String(x.value).includes(c.value)) && (c.host == null || x.host == null || x.host === c.host)))
      diffs.push(`credential to rotate missing: ${c.kind} ${c.value}${c.host ? ' on ' + c.host : ''}`);
  }
  for (const i of expected.ips ?? []) {
    const got = (findings.ips ?? []).find((x: Any) => x.ip === i.ip);
    if (!got) diffs.push(`ip missing: ${i.ip}`);
    else for (const r of i.roles ?? []) if (!got.roles.includes(r)) diffs.push(`ip ${i.ip}: role ${r} missing (has ${got.roles.join(', ')})`);
  }
  for (const x of expected.exfiltration ?? []) {
    const got = (findings.exfiltration ?? []).find((y: Any) => y.dst_ip === x.dst_ip);
    if (!got) diffs.push(`exfiltration missing: ${x.dst_ip}`);
    else if (x.bytes != null && got.bytes !== x.bytes) diffs.push(`exfiltration ${x.dst_ip}: bytes ${got.bytes}, expected ${x.bytes}`);
  }
  for (const t of expected.traps ?? []) {
    for (const section of t.must_not_appear_in ?? ['entities', 'ips']) {
      const list = findings[section] ?? [];
      const hit = list.some((x: Any) => Object.values(x).some((v) => v === t.value || (Array.isArray(v) && v.includes(t.value))));
      if (hit) diffs.push(`trap "${t.description}" (${t.kind} ${t.value}) appears in ${section}`);
    }
  }
  return diffs;
}
