/**
 * `npm run gen:scenario -- --out DIR [--seed N] [--scale S] [--expected FILE]`: writes the demo
 * breach's evidence into DIR and its ground truth (expected.json) beside it.
 */
import { generate } from './generate.js';

const USAGE = `usage: npm run gen:scenario -- --out DIR [--seed N] [--scale S] [--expected FILE]

  --out DIR        evidence folder to create (must be new or empty)
  --seed N         seed of every random choice (default 1; the committed fixture is seed 1)
  --scale S        background volume: 1 ≈ 21k records (the fixture), 1500 ≈ 11M records (default 1)
  --expected FILE  where the ground truth goes (default: DIR/../expected.json)

Same seed and scale → the same bytes. The attack and expected.json do not depend on --scale.
`;

function parse(argv: string[]): { out?: string; seed: number; scale: number; expected?: string; help: boolean } {
  const o = { seed: 1, scale: 1, help: false } as { out?: string; seed: number; scale: number; expected?: string; help: boolean };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--out':
        o.out = value();
        break;
      case '--seed':
        o.seed = Number(value());
        break;
      case '--scale':
        o.scale = Number(value());
        break;
      case '--expected':
        o.expected = value();
        break;
      case '-h':
      case '--help':
        o.help = true;
        break;
      default:
        throw new Error(`unknown option ${a}`);
    }
  }
  return o;
}

async function main(): Promise<number> {
  let o;
  try {
    o = parse(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`error: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (o.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (!o.out) {
    process.stderr.write(`error: --out DIR is required\n\n${USAGE}`);
    return 2;
  }
  const started = process.hrtime.bigint();
  const tty = process.stderr.isTTY;
  try {
    const r = await generate({
      out: o.out, expected: o.expected, seed: o.seed, scale: o.scale,
      progress: (done, total) => {
        if (tty) process.stderr.write(`\rgenerating: day ${Math.round(done / 24)}/${Math.ceil(total / 24)}`);
      },
    });
    if (tty) process.stderr.write('\n');
    const s = Number(process.hrtime.bigint() - started) / 1e9;
    const f = (n: number) => n.toLocaleString('en-US');
    process.stdout.write(
      `wrote ${f(r.records.total)} records (auth ${f(r.records.auth_log)}, postgresql ${f(r.records.postgresql)}, cloudtrail ${f(r.records.cloudtrail)}, vpc ${f(r.records.vpc_flow)}, zeek ${f(r.records.zeek_conn)}) ` +
        `in ${r.files} files under ${o.out} in ${s.toFixed(1)} s; ground truth: ${r.expectedPath}\n` +
        `ingest with: npx dwell ingest --case CASE.duckdb --tz Europe/Berlin --year 2025 ${o.out}\n`,
    );
    return 0;
  } catch (err) {
    process.stderr.write(`error: ${(err as Error).message}\n`);
    return 1;
  }
}

process.exitCode = await main();
