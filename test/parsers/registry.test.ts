import { describe, expect, it } from 'vitest';
import { makeHead, sniff } from '../../src/ingest/sniff.js';
import { PARSERS } from '../../src/parsers/registry.js';
import { runParser } from '../helpers/run-parser.js';

// lnav's load-time check of format samples, as a test: every sample parses into an event and is
// claimed by its own parser, not by another.
describe('parser registry', () => {
  it('has unique names', () => {
    expect(new Set(PARSERS.map((p) => p.name)).size).toBe(PARSERS.length);
  });

  for (const parser of PARSERS) {
    describe(parser.name, () => {
      it('has samples', () => expect(parser.samples.length).toBeGreaterThan(0));
      for (const sample of parser.samples) {
        it(`parses its sample ${JSON.stringify(sample.slice(0, 60))}`, async () => {
          const run = await runParser(parser, sample + '\n', { year: 2026 });
          expect(run.warnings).toEqual([]);
          expect(run.events.length).toBeGreaterThan(0);
          expect(run.events[0]!.action).not.toBe('other');
        });
        it(`sniffs its sample ${JSON.stringify(sample.slice(0, 60))} as itself`, () => {
          const result = sniff(makeHead('sample', Buffer.from(sample + '\n')));
          expect(result.winner?.parser.name).toBe(parser.name);
        });
      }
    });
  }
});
