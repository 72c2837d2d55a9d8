/**
 * Structure checks against the Sigma specification's own JSON schemas (v2.1.0, public domain,
 * copied under schema/). They check the shape only: modifier names and the condition grammar are
 * checked when a rule compiles.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { ValidateFunction } from 'ajv';
import detectionSchema from './schema/sigma-detection-rule-schema.json' with { type: 'json' };
import correlationSchema from './schema/sigma-correlation-rules-schema.json' with { type: 'json' };

// ajv-formats is CommonJS: under Node's ESM loader its function arrives as `.default`.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as unknown as typeof addFormatsModule.default;

let validators: { detection: ValidateFunction; correlation: ValidateFunction } | null = null;

function compile(): NonNullable<typeof validators> {
  // strict: false — the correlation schema uses its condition operators as keywords inside anyOf.
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  const strip = (s: object) => {
    const { $schema: _drop, ...rest } = s as Record<string, unknown>;
    return rest;
  };
  return { detection: ajv.compile(strip(detectionSchema)), correlation: ajv.compile(strip(correlationSchema)) };
}

/** Schema violations of a document (none when it conforms), one line each: `path: message`. */
export function schemaErrors(doc: Record<string, unknown>, kind: 'detection' | 'correlation'): string[] {
  validators ??= compile();
  const v = validators[kind];
  if (v(doc)) return [];
  const seen = new Set<string>();
  for (const e of v.errors ?? []) {
    // oneOf/anyOf failures repeat one message per branch; the first of each place is enough.
    const where = e.instancePath || '/';
    const extra = e.keyword === 'additionalProperties' ? ` (${(e.params as { additionalProperty?: string }).additionalProperty})` : '';
    const line = `${where}: ${e.message ?? e.keyword}${extra}`;
    if (![...seen].some((s) => s.startsWith(`${where}:`))) seen.add(line);
  }
  return [...seen];
}
