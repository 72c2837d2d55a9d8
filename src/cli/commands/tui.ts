/**
 * `dwell tui`: browse a case in the terminal. The Ink/React code is imported only here, so other
 * commands never load it.
 */
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { fileURLToPath } from 'node:url';

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

/** The one-file bundle `npm run build` makes (4× faster to load than Ink's modules), else the modules. */
async function loadTui(): Promise<typeof import('../../tui/run.js')> {
  // React's production build (the development one costs several times more per frame); set before
  // React loads. The bundle has it compiled in.
  process.env.NODE_ENV ??= 'production';
  const bundle = new URL('../../tui/run.bundle.js', import.meta.url);
  if (existsSync(fileURLToPath(bundle))) return (await import(bundle.href)) as typeof import('../../tui/run.js');
  return import('../../tui/run.js');
}

export async function runTuiCommand(opts: TuiOptions): Promise<number> {
  // Ink renders nothing until exit when it believes it runs in CI (CI=true). A TTY on both ends is
  // a person at a terminal, even inside a CI job's shell.
  if (process.stdout.isTTY && process.stdin.isTTY) {
    for (const k of ['CI', 'CONTINUOUS_INTEGRATION']) if (k in process.env) process.env[k] = 'false';
  }
  const { runTui } = await loadTui();
  return runTui({ case: opts.case, author: opts.author ?? defaultAuthor(), noIndex: opts.index === false, attack: opts.attack });
}
