/**
 * Every findings object a test produces is checked against docs/findings.schema.json (the
 * published form of `dwell.findings/v1`), so the type, the schema and the output cannot drift.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { expect } from 'vitest';
import { ROOT } from './cli.js';

const schema = JSON.parse(readFileSync(join(ROOT, 'docs', 'findings.schema.json'), 'utf8')) as object;
const ajv = new Ajv2020({ allErrors: true, strict: true });
const validate = ajv.compile(schema);

/** The schema's complaints about a findings object (empty when it conforms). */
export function findingsErrors(f: unknown): string[] {
  if (validate(f)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}${e.params ? ' ' + JSON.stringify(e.params) : ''}`);
}

export function expectValidFindings(f: unknown): void {
  expect(findingsErrors(f)).toEqual([]);
}
