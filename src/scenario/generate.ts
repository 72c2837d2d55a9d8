/**
 * The generator: runs the attack and the responders once, then walks the evidence window hour by
 * hour — every background actor adds that hour's records, the hour's records are sorted and
 * streamed to the writers — so memory stays bounded at any scale. Writes expected.json from the
 * attack's items once every file is closed.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { runAttack } from './attack.js';
import { Admins } from './background/admins.js';
import { App } from './background/app.js';
import { Backup } from './background/backup.js';
import { Ci } from './background/ci.js';
import type { Actor, Bg } from './background/common.js';
import { Noise } from './background/noise.js';
import { runResponse } from './background/response.js';
import { Scanner } from './background/scanner.js';
import { System } from './background/system.js';
import { Emitter } from './emit.js';
import { WINDOW } from './estate.js';
import { buildExpected } from './expected.js';
import { Rng } from './rng.js';
import { HOUR, MIN } from './time.js';
import { AuthWriter } from './writers/auth-writer.js';
import { CloudTrailWriter } from './writers/cloudtrail-writer.js';
import { FileRegistry } from './writers/out-file.js';
import { PgWriter } from './writers/pg-writer.js';
import { VpcWriter } from './writers/vpc-writer.js';
import { ZeekWriter } from './writers/zeek-writer.js';

export interface GenerateOptions {
  /** Evidence folder (created; must be empty or absent). */
  out: string;
  /** Where expected.json goes (default: beside the evidence folder). */
  expected?: string;
  seed: number;
  scale: number;
  /** false: only the attack and the responders (tests compare the attack across scales). */
  background?: boolean;
  /** Called after each generated day (progress). */
  progress?: (done: number, total: number) => void;
}

export interface GenerateReport {
  records: { auth_log: number; postgresql: number; cloudtrail: number; vpc_flow: number; zeek_conn: number; total: number };
  files: number;
  expectedPath: string;
  expected: Record<string, unknown>;
}

export async function generate(o: GenerateOptions): Promise<GenerateReport> {
  if (!Number.isInteger(o.seed) || o.seed < 0) throw new Error('--seed must be a non-negative integer');
  if (!(o.scale > 0) || !Number.isFinite(o.scale)) throw new Error('--scale must be a positive number');
  if (existsSync(o.out) && readdirSync(o.out).length > 0) throw new Error(`${o.out} is not empty: give a new or empty folder`);
  mkdirSync(o.out, { recursive: true });
  const expectedPath = o.expected ?? `${dirname(o.out.replace(/\/+$/, ''))}/expected.json`;

  const E = new Emitter(WINDOW.pgStart);
  const { story, facts } = runAttack(E, o.seed);
  runResponse(E, o.seed, facts.createdKey);
  const bg = (label: string): Bg => ({ E, rng: new Rng(o.seed, `bg:${label}`), seed: o.seed, scale: o.scale });
  const actors: Actor[] = o.background === false ? [] : [new System(bg('system')), new Noise(bg('noise')), new Scanner(bg('scanner')), new Admins(bg('admins')), new App(bg('app')), new Backup(bg('backup')), new Ci(bg('ci'))];

  const registry = new FileRegistry();
  // Small cases get fewer, larger deliveries (CloudTrail and VPC deliver per interval with data).
  const big = o.scale >= 50;
  const auth = new AuthWriter(o.out, registry);
  const pg = new PgWriter(o.out, registry);
  const ct = new CloudTrailWriter(o.out, o.seed, big ? 5 * MIN : HOUR, registry);
  const vpc = new VpcWriter(o.out, o.seed, big ? 10 * MIN : HOUR, registry);
  const zeek = new ZeekWriter(o.out, registry);

  const first = Math.floor(WINDOW.pgStart / HOUR) * HOUR;
  const total = Math.ceil((WINDOW.end - first) / HOUR);
  let n = 0;
  for (let h0 = first; h0 < WINDOW.end; h0 += HOUR) {
    for (const a of actors) a.hour(h0);
    for (const it of E.take(Math.floor(h0 / HOUR))) {
      switch (it.sink) {
        case 'auth':
          await auth.write(it);
          break;
        case 'pg':
          await pg.write(it);
          break;
        case 'ct':
          ct.write(it);
          break;
        case 'vpc':
          vpc.write(it);
          break;
        case 'zeek':
          await zeek.write(it);
          break;
      }
    }
    ct.flushBefore(h0 + HOUR);
    vpc.flushBefore(h0 + HOUR);
    await auth.drain();
    await pg.drain();
    await zeek.drain();
    n++;
    if (o.progress && n % 24 === 0) o.progress(n, total);
  }
  ct.close();
  vpc.close();
  await auth.close();
  await pg.close();
  await zeek.close();
  registry.applyMtimes();

  const expected = buildExpected(story, facts, o.seed);
  mkdirSync(dirname(expectedPath), { recursive: true });
  writeFileSync(expectedPath, JSON.stringify(expected, null, 2) + '\n');
  const records = { auth_log: auth.count, postgresql: pg.count, cloudtrail: ct.count, vpc_flow: vpc.count, zeek_conn: zeek.count, total: 0 };
  records.total = records.auth_log + records.postgresql + records.cloudtrail + records.vpc_flow + records.zeek_conn;
  return { records, files: registry.files.length + registry.mtimes.size - registry.files.length, expectedPath, expected };
}
