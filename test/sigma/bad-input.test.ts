/**
 * Malformed rules are rejected with the file, the rule id and the reason, and the other rules run:
 * bad YAML, an unknown modifier, a condition naming a missing selection, a regular expression RE2
 * refuses, a catastrophic regular expression — and rules dwell cannot run are reported with the
 * construct they lack, never dropped silently.
 */
import { describe, expect, it } from 'vitest';
import { regexRisk } from '../../src/sigma/regex-check.js';
import { CLOUDTRAIL, miniHunt, rule, uid } from './helpers/mini.js';

const ev = [{ id: 1, source: 'cloudtrail', action: 's3.amazonaws.com:GetObject', user_agent: 'aaaa evil' }];
const sel = (v: string) => `selection:\n    ${v}\ncondition: selection`;

const FILES: Record<string, string> = {
  'good.yml': rule(uid(1), CLOUDTRAIL, sel('userAgent|contains: evil')),
  'bad-yaml.yml': `title: broken\nid: ${uid(2)}\ndetection:\n  selection: [unclosed\n  condition: selection\n`,
  'unknown-modifier.yml': rule(uid(3), CLOUDTRAIL, sel('userAgent|contians: evil')),
  'missing-selection.yml': rule(uid(4), CLOUDTRAIL, 'selection:\n    userAgent: x\ncondition: selection and filter'),
  're2-refuses.yml': rule(uid(5), CLOUDTRAIL, sel("userAgent|re: '(?<=a)evil'")),
  'catastrophic.yml': rule(uid(6), CLOUDTRAIL, sel("userAgent|re: '^(a+)+$'")),
  'too-large.yml': rule(uid(7), CLOUDTRAIL, sel("userAgent|re: 'a{2000}'")),
  'schema.yml': `title: no log source\nid: ${uid(8)}\ndetection:\n    selection:\n        x: y\n    condition: selection\n`,
  'v1-aggregation.yml': rule(uid(9), CLOUDTRAIL, 'selection:\n    userAgent: x\ncondition: selection | count() by userAgent > 5'),
  'unknown-field.yml': rule(uid(10), 'product: linux\nservice: sshd', sel('pam_message: x')),
  'windows.yml': rule(uid(11), 'product: windows\ncategory: process_creation', sel('Image|endswith: \\cmd.exe')),
};

describe('bad rules', () => {
  it('rejects each malformed rule with file, rule id and reason; the others run', async () => {
    const h = await miniHunt(FILES, ev);
    try {
      expect(h.hits.get(uid(1))).toEqual([1]);
      const byFile = new Map(h.problems.map((p) => [p.file, p]));
      const expectProblem = (file: string, kind: string, id: string | null, reason: RegExp) => {
        const p = byFile.get(file);
        expect(p, file).toBeDefined();
        expect([p!.kind, p!.ruleId, p!.reason]).toEqual([kind, id, expect.stringMatching(reason)]);
      };
      expectProblem('bad-yaml.yml', 'rejected', null, /^bad YAML( at line \d+)?: /);
      expectProblem('unknown-modifier.yml', 'rejected', uid(3), /unknown value modifier "contians" in "userAgent\|contians"/);
      expectProblem('missing-selection.yml', 'rejected', uid(4), /names "filter", which is not a search identifier of the detection \(selection\)/);
      expectProblem('re2-refuses.yml', 'rejected', uid(5), /refused by RE2: invalid perl operator: \(\?</);
      expectProblem('catastrophic.yml', 'rejected', uid(6), /nested repetition "\(a\+\)\+".*exponential time/);
      expectProblem('too-large.yml', 'rejected', uid(7), /refused by RE2: invalid repetition size/);
      expectProblem('schema.yml', 'rejected', uid(8), /JSON schema.*logsource/);
      expectProblem('v1-aggregation.yml', 'unsupported', uid(9), /v1 aggregation.*correlation rule/);
      expectProblem('unknown-field.yml', 'unsupported', uid(10), /field "pam_message" is not in Linux sshd \(auth\/syslog lines\) events/);
      expectProblem('windows.yml', 'not_held', uid(11), /product: windows, category: process_creation/);
      expect(h.problems.length).toBe(10);
    } finally {
      h.close();
    }
  });

  it('judges regular expressions: nested unbounded repetition refused, ordinary ones kept', () => {
    for (const bad of ['(a+)+', '(a*)*', '^(\\w+\\s?)*$', '(a|b+)+x', '((a+)b?)+', '(x+x+)+y', '(.*)*'])
      expect(regexRisk(bad), bad).toMatch(/nested repetition/);
    for (const ok of ['.+:assumed-role/aws:.+', '^([a-z0-9]+\\.)+[a-z]+$', '(ab)+', '(a|b)*c', '[(a+)+]', '\\(a+\\)+', '(?i)foo(bar)?', 'a{2,5}(b{1,3})'])
      expect(regexRisk(ok), ok).toBeNull();
  });
});
