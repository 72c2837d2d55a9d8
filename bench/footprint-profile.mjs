/**
 * The correlation steps after the rules (case view, seeds, hosts, footprint), alone, on a case a
 * full `dwell correlate` already ran on: the detections of that run (findings id) are reused, so
 * the footprint links can be profiled and their output compared without re-running the rules.
 *   node bench/footprint-profile.mjs CASE FINDINGS_ID OUT.json [SEED…]
 * OUT.json: the footprint in a stable order (entities, events with phase and reason, notes,
 * persistence, network mapping, failed statements), to diff before/after a change.
 * DWELL_QUERY_PROFILE=1 prints every footprint query over 100 ms (first line of its SQL).
 * Needs `npm run build`. Writes the case's hosts table (as correlate does).
 */
import { writeFileSync } from 'node:fs';
import { CaseDb } from '../dist/store/case-db.js';
import { createCaseView } from '../dist/correlate/case-view.js';
import { installSqlVocabulary } from '../dist/correlate/sql-vocabulary.js';
import { countSeedMatches, parseSeed } from '../dist/correlate/seeds.js';
import { selectRules } from '../dist/correlate/rule-options.js';
import { learnHosts } from '../dist/correlate/hosts/learn.js';
import { HostDirectory } from '../dist/correlate/hosts/directory.js';
import { Expander } from '../dist/correlate/expand.js';

const [casePath, fid, out, ...seedArgs] = process.argv.slice(2);
const seeds = (seedArgs.length ? seedArgs : ['ip:203.0.113.77']).map(parseSeed);
const lap = (() => { let t = Date.now(); return (label) => { const now = Date.now(); process.stderr.write(`step ${label} ${now - t} ms\n`); t = now; }; })();
const db = await CaseDb.open(casePath, { create: false, config: { memory_limit: process.env.DWELL_DUCKDB_MEMORY ?? '1GB' } });
const conn = await db.connect();
await installSqlVocabulary(conn);
lap('open');
await createCaseView(conn, {});
lap('case view');
for (const s of seeds) process.stderr.write(`seed ${s.value}: ${await countSeedMatches(conn, s)} events\n`);
lap('seed matches');
const rules = selectRules({}).rules;
const byId = new Map(rules.map((r) => [r.id, r]));
const levels = { low: 0, medium: 1, high: 2, critical: 3 };
const detections = new Map();
const hits = await db.all(`SELECT event_id, rule_id FROM detections WHERE findings_id = $f AND coalesce(engine, 'dwell') = 'dwell' ORDER BY rule_id`, { f: Number(fid) });
for (const h of hits) {
  const r = byId.get(h.rule_id);
  const prior = detections.get(h.event_id);
  if (!prior || levels[r.level] > levels[byId.get(prior.ruleId).level]) detections.set(h.event_id, { phase: r.phase, technique: r.technique, ruleId: r.id });
}
lap(`detections (${detections.size})`);
await learnHosts(conn);
const hosts = await HostDirectory.load(conn);
lap('hosts');
const ex = new Expander(conn, { seeds, detections }, hosts);
if (process.env.DWELL_QUERY_PROFILE === '1') {
  const q = ex.ctx.q.bind(ex.ctx);
  ex.ctx.q = async (sql, params) => {
    const t0 = Date.now();
    const r = await q(sql, params);
    const ms = Date.now() - t0;
    if (ms > 100) process.stderr.write(`query ${ms} ms ${r.length} rows: ${sql.replace(/\s+/g, ' ').slice(0, 140)}\n`);
    return r;
  };
}
const fp = await ex.run();
lap('footprint');
const sortBy = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
const dump = {
  entities: [...fp.entities.values()].map((e) => ({ ...e, roles: [...e.roles].sort(), eventIds: [...e.eventIds].sort((a, b) => a - b) })).sort((a, b) => sortBy(`${a.kind}|${a.host}|${a.value}`, `${b.kind}|${b.host}|${b.value}`)),
  events: [...fp.events.values()].sort((a, b) => a.eventId - b.eventId),
  notes: fp.notes,
  hostWindows: [...ex.ctx.hostWindows.entries()].sort(),
  persistence: ex.ctx.persistence,
  networkMapping: ex.ctx.networkMapping.map((m) => ({ ...m, targets: [...m.targets].sort(), ports: [...m.ports].sort() })),
  failed: [...ex.ctx.failedStatements].sort((a, b) => a - b),
  firstAccessUs: ex.ctx.firstAccessUs,
};
writeFileSync(out, JSON.stringify(dump, null, 1));
process.stderr.write(`entities ${fp.entities.size}, events ${fp.events.size}\n`);
conn.closeSync();
db.close();
