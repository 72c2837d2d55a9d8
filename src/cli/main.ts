/**
 * The dwell command line. Each command lives in its own module under commands/ and is imported
 * only when used, so `dwell tui` does not pay for the ingest code and vice versa.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { guardOutput, stdoutState } from '../core/output/stdout.js';
import { safeMultiline } from '../core/sanitize.js';
import { isValidZone } from '../core/time.js';
import { parserNames } from '../parsers/registry.js';
import { addFilterOptions } from './filter-options.js';
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
  .showHelpAfterError('(run with --help for usage)')
  // Every command but the TUI (which owns the terminal): text reaching a terminal is escaped
  // (src/core/output/stdout.ts). Standard error is not: progress bars write escapes there.
  .hook('preAction', (_program, command) => {
    if (command.name() !== 'tui') guardOutput(process.stdout, { terminal: Boolean(process.stdout.isTTY) });
  });

// For every command, help included: a reader that leaves (`| head`) ends output quietly.
guardOutput(process.stdout);
guardOutput(process.stderr, { state: { closedByReader: false, error: null } });

program
  .command('ingest')
  .description('Read evidence files and folders (auth logs, …) into a case, with chain of custody (SHA-256 per file).')
  .requiredOption('--case <path>', 'the case file (DuckDB), created on first ingest')
  .argument('<evidence...>', 'files and folders (read recursively; .gz/.bz2/.xz read transparently)')
  .addOption(new Option('--format <name>', 'force a parser instead of sniffing each file').choices(parserNames()))
  .option('--tz <zone>', 'time zone of timestamps that carry none (IANA name); such events are marked zone_assumed', zone, 'UTC')
  .option('--year <yyyy>', 'year of the first year-less syslog line (default: inferred from the file mtime; events marked year_inferred)', year)
  .option('-O, --parser-option <key=value>', 'parser-specific option, repeatable (see docs/parsers.md)', keyValue, {})
  .option('--workers <n>', 'parser threads, each on its own file (0 = parse in the main thread; default 2: one file parses while the previous one is stored)', positiveInt)
  .option('--rehash', 'read again files already in the case with the same path, size and mtime')
  .option('--follow-symlinks', 'follow symbolic links that lead out of the evidence given (default: skipped with a message); the real target is recorded')
  .option('--no-index', 'skip building the timeline index (the time-sorted copy dwell tui pages from); run ingest again on the same evidence to build it: already-ingested files are skipped)')
  .option('--no-fast', 'read every file with its JS parser (default: DuckDB reads the formats it can, e.g. VPC flow logs (CloudTrail too when DWELL_FAST_FORMATS=vpc_flow,cloudtrail), and declines to JS any file it cannot store identically; docs/ingest-fast-path.md)')
  .option('--max-ratio <n>', 'stop reading a compressed file that expands more than N times its size, past 16 MiB (a decompression bomb); the file is marked partial. 0 = no limit', positiveInt, 1000)
  .option('--json', 'print the report as JSON (every file, unrecognized ones included)')
  .option('-v, --verbose', 'also list the files no parser recognized (by default they are counted in one line)')
  .option('-q, --quiet', 'no progress output')
  .addHelpText('after', '\nExit status: 0 every file is in the case; 1 a file failed or is held only in part; 3 a file was not recognized;\n130/143 interrupted by Ctrl-C/SIGTERM (the file being read is rolled back; run the same command again to resume).')
  .action(async (evidence: string[], opts) => {
    const { runIngest } = await import('./commands/ingest.js');
    process.exitCode = await runIngest(evidence, opts);
  });

program
  .command('verify')
  .description('Re-hash every evidence file of a case and report OK / CHANGED / MISSING (non-zero exit on any mismatch).')
  .requiredOption('--case <path>', 'the case file')
  .option('--timeout <seconds>', 'give up on a file when reading it makes no progress for this long, e.g. a hung network mount (0: wait forever)', positiveInt, 30)
  .option('--json', 'print the results as JSON')
  .action(async (opts) => {
    const { runVerify } = await import('./commands/verify.js');
    process.exitCode = await runVerify(opts);
  });

program
  .command('sniff')
  .description('Show which parser claims each file and why (nothing is written).')
  .argument('<file...>', 'evidence files or folders')
  .option('--follow-symlinks', 'follow symbolic links that lead out of the evidence given (default: skipped with a message)')
  .option('--json', 'print the results as JSON')
  .action(async (files: string[], opts) => {
    const { runSniff } = await import('./commands/sniff.js');
    process.exitCode = await runSniff(files, opts);
  });

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

program
  .command('correlate')
  .description("Rebuild the attacker's timeline from seeds (or the strongest detections) and answer the runbook's questions; findings are stored in the case.")
  .requiredOption('--case <path>', 'the case file')
  .option('--seed <kind:value>', 'what the responders know: ip:…, user:name@host, key:AKIA…, principal:arn:…, host:…, db_role:name@host (repeatable)', collect, [])
  .option('--detected-at <time>', 'when the incident was detected (ISO 8601 with zone)')
  .option('--contained-at <time>', 'when the attacker was contained (ISO 8601 with zone)')
  .option('--sensitive <what>', 'sensitive data: db:schema.table or s3:bucket (repeatable)', collect, [])
  .option('--auto', 'also propose seeds from the strongest detections (the default when no seed is given)')
  .option('--include-relative', 'keep events whose time is relative or implausible (e.g. 1970 capture times) in the answers and the timeline')
  .option('--rules <dir>', 'also run the rule files of this folder (dwell\'s rule format, docs/correlation.md; repeatable)', collect, [])
  .option('--rule-param <rule.param=value>', 'tune a rule, e.g. recon.port_scan.ports=40 (dwell rules list shows every param; repeatable)', collect, [])
  .option('--disable <rule>', 'a rule id not to run (repeatable)', collect, [])
  .addOption(new Option('--min-level <level>', 'leave out rules below this level').choices(['informational', 'low', 'medium', 'high', 'critical']))
  .option('--sigma <path>', 'also run these Sigma rules (file or folder; repeatable): hits stored and reported with this run, not used to grow the footprint (docs/sigma.md)', collect, [])
  .option('--placeholder <name=values>', 'with --sigma: values for a %name% placeholder of |expand rules (repeatable)', collect, [])
  .option('--json', 'print the findings JSON instead of the summary')
  .action(async (opts) => {
    const { runCorrelate } = await import('./commands/correlate.js');
    process.exitCode = await runCorrelate(opts);
  });

program
  .command('hunt')
  .description('Run Sigma rules (SigmaHQ format) over a case; hits are stored as detections with the rule\'s title, level and author (docs/sigma.md).')
  .requiredOption('--case <path>', 'the case file')
  .option('--sigma <path>', 'Sigma rule file or folder (walked for .yml/.yaml; repeatable)', collect, [])
  .option('--rules <dir>', 'also run the rule files of this folder in dwell\'s own format (docs/correlation.md; repeatable)', collect, [])
  .option('--rule-param <rule.param=value>', 'with --rules: tune one of those rules, e.g. access.telnet_login.port=2323 (repeatable)', collect, [])
  .option('--placeholder <name=values>', 'values for a %name% placeholder of |expand rules, comma-separated (repeatable)', collect, [])
  .addOption(new Option('--min-level <level>', 'leave out rules below this level').choices(['informational', 'low', 'medium', 'high', 'critical']))
  .option('--disable <rule>', 'a rule id (or name) not to run (repeatable)', collect, [])
  .option('--any-status', 'also run rules whose status is deprecated or unsupported')
  .option('--include-relative', 'also search events whose time is relative or implausible (left out by default)')
  .option('--json', 'print the results and every rule left out, as JSON')
  .option('-q, --quiet', 'no output (exit code only)')
  .action(async (opts) => {
    const { runHunt } = await import('./commands/hunt.js');
    process.exitCode = await runHunt(opts);
  });

const rules = program.command('rules').description("dwell's own detection rules (docs/correlation.md)");
rules
  .command('list')
  .description('Print every rule: id, level, ATT&CK, params with their defaults, title and source file; with the tuning options, what a correlate with them would run.')
  .option('--rules <dir>', 'also list the rule files of this folder (repeatable)', collect, [])
  .option('--rule-param <rule.param=value>', 'show params as tuned, e.g. recon.port_scan.ports=40 (repeatable)', collect, [])
  .option('--disable <rule>', 'mark a rule id as not run (repeatable)', collect, [])
  .addOption(new Option('--min-level <level>', 'mark rules below this level as not run').choices(['informational', 'low', 'medium', 'high', 'critical']))
  .addOption(new Option('--format <format>', 'text, json, or markdown (the rule table of docs/correlation.md)').choices(['text', 'json', 'markdown']).default('text'))
  .action(async (opts) => {
    const { runRulesList } = await import('./commands/rules.js');
    process.exitCode = await runRulesList(opts);
  });

program
  .command('export')
  .description('Write the timeline, the attack, the findings or the indicators in formats other tools read (docs/exports.md).')
  .requiredOption('--case <path>', 'the case file (opened read-only)')
  .addOption(new Option('--what <what>', 'what to export').choices(['timeline', 'attack', 'findings', 'iocs', 'mitigations', 'detections']).makeOptionMandatory())
  .requiredOption(
    '--format <format>',
    'timeline|attack: csv, jsonl, timesketch-jsonl, timesketch-csv, ocsf, parquet; attack|findings: navigator; iocs: stix, csv; findings: json, md, html, csv; mitigations: blocklist, nft, iptables, aws-cli, waf-json, revoke-sh, sigma; detections: csv, jsonl',
  )
  .option('-o, --output <path>', 'file to write (default: standard output); a directory for parquet. Never inside the evidence, never the case, never over anything but a regular file')
  .option('--source <names>', 'filter: source(s), comma-separated; * wildcards; !value negates (repeatable)', collect)
  .option('--phase <phases>', 'filter: attack phase(s) of the newest findings: recon, access, actions, exfiltration', collect)
  .option('--host <hosts>', 'filter: host(s)', collect)
  .option('--actor <names>', 'filter: actor(s)', collect)
  .option('--user <names>', 'filter: actor or target', collect)
  .option('--ip <addresses>', 'filter: source or destination address(es)', collect)
  .option('--action <actions>', 'filter: normalized action(s), e.g. ssh_login,sudo or ssh_*', collect)
  .option('--outcome <outcomes>', 'filter: success, failure, unknown', collect)
  .option('--key <ids>', 'filter: cloud access key(s)', collect)
  .option('--session <session[@host]>', 'filter: session(s)', collect)
  .option('--from <time>', 'filter: from this time (ISO 8601, inclusive; no zone = UTC)')
  .option('--to <time>', 'filter: up to this time (inclusive; a bare date = the whole day)')
  .option('--text <text>', 'filter: case-insensitive substring of the summary or the raw record')
  .option('--include-relative', 'timeline|attack: also events whose time is relative (a replayed capture) or implausible (before 1990, in the future), left out by default')
  .addOption(new Option('--tlp <level>', 'STIX and the md/html report: TLP marking').choices(['white', 'green', 'amber', 'red']).default('amber'))
  .option('--case-id <id>', 'md/html report: the case id in the title (default: the case file name)')
  .option('--identity <name>', 'STIX: producer identity name', 'dwell')
  .option('--valid-days <n>', 'STIX: indicators stay valid this many days after the last sighting', positiveInt, 90)
  .option('--overwrite', 'parquet: replace the tables a previous dwell export wrote in that directory (only the files its _dwell-export.json lists)')
  .addOption(new Option('--min-level <level>', 'detections, findings: leave out hits of rules below this level').choices(['informational', 'low', 'medium', 'high', 'critical']))
  .option('--disable <rule>', 'detections, findings: leave out hits of this rule id (repeatable)', collect)
  .option('-q, --quiet', 'no progress and no summary line')
  .action(async (opts) => {
    const { runExport } = await import('./commands/export.js');
    process.exitCode = await runExport(opts);
  });

program
  .command('info')
  .description('What a case holds: ingest runs, evidence per source (files, bytes, times, warnings, time quality), events per host, hosts and addresses, findings, notes, index.')
  .requiredOption('--case <path>', 'the case file (opened read-only)')
  .option('--json', 'everything, as JSON')
  .action(async (opts) => {
    const { runInfo } = await import('./commands/info.js');
    process.exitCode = await runInfo(opts);
  });

addFilterOptions(
  program
    .command('search')
    .description('Find events whose summary or raw record holds PATTERN (any case), in time order: a table on a terminal, JSON lines or CSV otherwise. Exit 1 when nothing matched.')
    .requiredOption('--case <path>', 'the case file (opened read-only)')
    .argument('<pattern>', 'text to find (or an RE2 regular expression with --regex)')
    .option('--regex', 'PATTERN is an RE2 regular expression (https://github.com/google/re2/wiki/Syntax)')
    .option('--case-sensitive', 'match case exactly')
    .option('--count', 'print only the number of matching events')
    .option('--limit <n>', 'matches per page (0: all)', positiveInt, 100)
    .option('--offset <n>', 'skip this many matches (the next page)', positiveInt, 0)
    .option('--table', 'an aligned table even when not on a terminal')
    .option('--json', 'JSON lines: every field of each event (as dwell export --format jsonl) and matched_in')
    .option('--csv', 'CSV with the same fields')
    .option('-o, --output <path>', 'file to write (default: standard output); never inside the evidence, never the case'),
  'filter:',
  { text: false },
).action(async (pattern: string, opts) => {
  const { runSearch } = await import('./commands/search.js');
  process.exitCode = await runSearch(pattern, opts);
});

addFilterOptions(
  program
    .command('sql')
    .description('Read-only SQL over the case with dwell\'s own DuckDB: QUERY prints a table (or --json/--csv); without QUERY, an SQL prompt. No query can change the case or read or write a file.')
    .requiredOption('--case <path>', 'the case file (opened read-only)')
    .argument('[query]', 'SQL to run (one or more statements); omitted: the prompt (or statements from standard input)')
    .option('--json', 'JSON lines, one object per row')
    .option('--csv', 'CSV (formula cells neutralized)')
    .option('-o, --output <path>', 'write QUERY\'s result to this file; never inside the evidence, never the case')
    .option('--max-rows <n>', 'rows a table shows, the rest counted (0: all)', positiveInt, 1000),
  'view:',
  { text: true },
).action(async (query: string | undefined, opts) => {
  const { runSql } = await import('./commands/sql.js');
  process.exitCode = await runSql(query, opts);
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
  .command('watch')
  .description("After containment: follow live evidence (growing files, rotation, new files in folders) into the case and alert when the attacker comes back (docs/watch.md).")
  .requiredOption('--case <path>', 'the case file (written: new evidence is ingested with the same custody as dwell ingest)')
  .argument('[evidence...]', 'files and folders to follow; without any, edit or list the watch list and exit')
  .option('--findings <n>', 'build the watch list from this findings run (default: the latest)', positiveInt)
  .option('--add <kind:value>', 'add a watch-list entry: ip:…, key:…, principal:…, user:name[@host], db_role:name[@host], session:…, ua:…, file:/path, host:payload.host, rule:rule_id (repeatable)', collect, [])
  .option('--remove <kind:value|#id>', 'remove a watch-list entry (kept in the case, marked with who and when; repeatable)', collect, [])
  .addOption(new Option('--severity <level>', 'severity of the entries given with --add').choices(['low', 'medium', 'high', 'critical']).default('high'))
  .option('--author <name>', 'who edits the watch list (default: $DWELL_AUTHOR or your login name)')
  .option('--list', 'print the active watch list')
  .option('--json', 'alerts (and custody notices) as JSON lines on standard output')
  .option('--exec <command>', 'run this command for each alert, with the alert as JSON on its standard input (nothing from the evidence is put in the command)')
  .option('--tz <zone>', 'time zone of timestamps that carry none (as for dwell ingest)', zone, 'UTC')
  .option('--year <yyyy>', 'year of year-less syslog lines (default: inferred from the file mtime)', year)
  .option('-O, --parser-option <key=value>', 'parser-specific option, repeatable (see docs/parsers.md)', keyValue, {})
  .option('--poll <ms>', 'how often followed files are checked (ms)', positiveInt, 250)
  .option('-q, --quiet', 'no health line and no notes (alerts and custody problems are still printed)')
  .addHelpText('after', '\nStops cleanly on Ctrl-C or SIGTERM (exit 0); run it again to resume where it stopped, with no event lost or stored twice.\nAlerts are stored in the case (table alerts) and shown by dwell tui.')
  .action(async (evidence: string[], opts) => {
    const { runWatch } = await import('./commands/watch.js');
    process.exitCode = await runWatch(evidence, opts, process.argv.slice(2));
  });

program
  .command('demo')
  .description("Generate the demo breach, ingest it, correlate from the alert's seed and show what dwell found.")
  .option('--dir <path>', 'folder for the evidence and the case (new or empty; default: a new temporary folder)')
  .option('--seed <n>', 'scenario seed (default 1)')
  .option('--scale <s>', 'background volume (default 1, about 21k records)')
  .action(async (opts) => {
    const { runDemo } = await import('./commands/demo.js');
    process.exitCode = await runDemo(opts);
  });

// Output that could not be written (a full disk behind `> file`) is a failure, never a success.
// Checked at exit: the write error arrives after the command's last write returned.
process.on('exit', () => {
  if (!stdoutState.error || (process.exitCode !== undefined && process.exitCode !== 0)) return;
  process.stderr.write(`error: cannot write standard output: ${safeMultiline(stdoutState.error.message)}\n`);
  process.exitCode = 2;
});

program.parseAsync(process.argv).catch((err: Error) => {
  process.stderr.write(`error: ${safeMultiline(err.message)}\n`);
  process.exitCode = 2;
});
