/**
 * The timeline filters as command-line options, for every command that takes them (`dwell search`,
 * `dwell sql`; the same names, values and meaning as `dwell export`'s), parsed by one parser:
 * src/export/filters.ts.
 */
import { Option, type Command } from 'commander';

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

const VALUE_OPTIONS: [string, string][] = [
  ['--source <names>', 'source(s), comma-separated; * wildcards; !value negates (repeatable)'],
  ['--phase <phases>', 'attack phase(s) of the newest findings: recon, access, actions, exfiltration'],
  ['--host <hosts>', 'host(s)'],
  ['--actor <names>', 'actor(s)'],
  ['--user <names>', 'actor or target'],
  ['--ip <addresses>', 'source or destination address(es)'],
  ['--action <actions>', 'normalized action(s), e.g. ssh_login,sudo or ssh_*'],
  ['--outcome <outcomes>', 'success, failure, unknown'],
  ['--key <ids>', 'cloud access key(s)'],
  ['--session <session[@host]>', 'session(s)'],
];

/** Adds the filters; `what` says what they select ("filter:", "view:"). `text`: also --text. */
export function addFilterOptions(cmd: Command, what: string, opts: { text: boolean }): Command {
  for (const [flags, help] of VALUE_OPTIONS) cmd.addOption(new Option(flags, `${what} ${help}`).argParser(collect));
  cmd.option('--from <time>', `${what} from this time (ISO 8601, inclusive; no zone = UTC)`);
  cmd.option('--to <time>', `${what} up to this time (inclusive; a bare date = the whole day)`);
  if (opts.text) cmd.option('--text <text>', `${what} case-insensitive substring of the summary or the raw record`);
  cmd.option('--include-relative', `${what} also events whose time is relative (a replayed capture) or implausible (before 1990, after the ingest), left out by default`);
  return cmd;
}
