/** The findings schema itself: the check can fail, and it says where. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { findingsErrors } from '../helpers/findings-schema.js';

describe('docs/findings.schema.json', () => {
  it('names every top-level section the TypeScript type has', () => {
    const type = readFileSync(join(ROOT, 'src', 'correlate', 'findings-types.ts'), 'utf8');
    const body = type.slice(type.indexOf('export interface Findings {'));
    const fields = [...body.slice(0, body.indexOf('\n}')).matchAll(/^\s{2}(\w+):/gm)].map((m) => m[1]);
    const schema = JSON.parse(readFileSync(join(ROOT, 'docs', 'findings.schema.json'), 'utf8')) as { required: string[] };
    expect([...schema.required].sort()).toEqual([...fields].sort());
  });

  it('rejects findings with a missing section, a wrong type or an unknown field, saying where', () => {
    expect(findingsErrors({ schema: 'dwell.findings/v1' }).join('\n')).toMatch(/must have required property 'answers'/);
    expect(findingsErrors({ schema: 'dwell.findings/v2' }).join('\n')).toMatch(/must be equal to constant/);
    expect(findingsErrors([]).length).toBeGreaterThan(0);
  });
});
