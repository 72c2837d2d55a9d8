/**
 * `dwell tui`: browse a case in the terminal. The Ink/React code is imported only here, so other
 * commands never load it.
 */
import { userInfo } from 'node:os';

export interface TuiOptions {
  case: string;
  author?: string;
  index?: boolean;
  attack?: boolean;
}

function defaultAuthor(): string {
  try {
    return process.env.DWELL_AUTHOR || userInfo().username;
  } catch {
    return process.env.USER || 'unknown';
  }
}

export async function runTuiCommand(opts: TuiOptions): Promise<number> {
  // Ink renders nothing until exit when it believes it runs in CI (CI=true). A TTY on both ends is
  // a person at a terminal, even inside a CI job's shell.
  if (process.stdout.isTTY && process.stdin.isTTY) {
    for (const k of ['CI', 'CONTINUOUS_INTEGRATION']) if (k in process.env) process.env[k] = 'false';
  }
  const { runTui } = await import('../../tui/run.js');
  return runTui({ case: opts.case, author: opts.author ?? defaultAuthor(), noIndex: opts.index === false, attack: opts.attack });
}
