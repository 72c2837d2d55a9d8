/**
 * The dwell command line. Each command lives in its own module under commands/ and is imported
 * only when used, so `dwell tui` does not pay for the ingest code and vice versa.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { isValidZone } from '../core/time.js';
import { parserNames } from '../parsers/registry.js';
import { DWELL_VERSION } from '../version.js';

function zone(value: string): string {
  if (!isValidZone(value)) throw new InvalidArgumentError(`unknown time zone "${value}" (use an IANA name such as Europe/Berlin, or UTC)`);
  return value;
}

function year(value: string): number {
  const n = Number(value);
  if (!/^\d{4}$/.test(value) || n < 1970 || n > 2100) throw new InvalidArgumentError('expected a four-digit year between 1970 and 2100');
  return n;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number ≥ 0');
  return n;
}

function keyValue(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError('expected KEY=VALUE');
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

const program = new Command();
program
  .name('dwell')
  .description('Forensic timeline reconstruction: ingest read-only evidence into one DuckDB case, correlate the attack, browse and export it.')
  .version(DWELL_VERSION)
  .showHelpAfterError('(run with --help for usage)');

program
  .command('ingest')
  .description('Read evidence files and folders (auth logs, …) into a case, with chain of custody (SHA-256 per file).')
  .requiredOption('--case <path>', 'the case file (DuckDB), created on first ingest')
  .argument('<evidence...>', 'files and folders (read recursively; .gz/.bz2/.xz read transparently)')
  .addOption(new Option('--format <name>', 'force a parser instead of sniffing each file').choices(parserNames()))
  .option('--tz <zone>', 'time zone of timestamps that carry none (IANA name); such events are marked zone_assumed', zone, 'UTC')
  .option('--year <yyyy>', 'year of the first year-less syslog line (default: inferred from the file mtime; events marked year_inferred)', year)
  .option('-O, --parser-option <key=value>', 'parser-specific option, repeatable (see docs/parsers.md)', keyValue, {})
  .option('--workers <n>', 'parser threads (0 = parse in the main thread; default 1, DuckDB uses the other cores)', positiveInt)
  .option('--rehash', 'read again files already in the case with the same path, size and mtime')
  .option('--json', 'print the report as JSON')
  .option('-q, --quiet', 'no progress output')
  .action(async (evidence: string[], opts) => {
    const { runIngest } = await import('./commands/ingest.js');
    process.exitCode = await runIngest(evidence, opts);
  });

program
  .command('verify')
  .description('Re-hash every evidence file of a case and report OK / CHANGED / MISSING (non-zero exit on any mismatch).')
  .requiredOption('--case <path>', 'the case file')
  .option('--json', 'print the results as JSON')
  .action(async (opts) => {
    const { runVerify } = await import('./commands/verify.js');
    process.exitCode = await runVerify(opts);
  });

program
  .command('sniff')
  .description('Show which parser claims each file and why (nothing is written).')
  .argument('<file...>', 'evidence files or folders')
  .option('--json', 'print the results as JSON')
  .action(async (files: string[], opts) => {
    const { runSniff } = await import('./commands/sniff.js');
    process.exitCode = await runSniff(files, opts);
  });

program
  .command('tui')
  .description('Browse a case in the terminal: timeline, attack view, filters, search, pivot, detail with provenance, marks and notes (press ? for keys).')
  .requiredOption('--case <path>', 'the case file (opened read-only; marks and notes are its only writes)')
  .option('--author <name>', 'author recorded with marks and notes (default: $DWELL_AUTHOR or your login name)')
  .option('--attack', 'start in the attack view (when the case has findings)')
  .option('--no-index', 'page the events table even when a timeline index exists (for comparison)')
  .action(async (opts) => {
    const { runTuiCommand } = await import('./commands/tui.js');
    process.exitCode = await runTuiCommand(opts);
  });

program
  .command('demo')
  .description('Run dwell on its bundled demo evidence in a temporary case and show what it found.')
  .option('--keep <path>', 'write the demo case to this path instead of a temporary file')
  .action(async (opts) => {
    const { runDemo } = await import('./commands/demo.js');
    process.exitCode = await runDemo(opts);
  });

program.parseAsync(process.argv).catch((err: Error) => {
  process.stderr.write(`error: ${err.message}\n`);
  process.exitCode = 2;
});
