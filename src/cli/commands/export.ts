/** `dwell export`: findings (json, md, csv) — and, per docs/exports.md, the other formats. */
import { writeFileSync } from 'node:fs';
import { CaseDb, CaseError } from '../../store/case-db.js';
import { renderCompromisedCsv } from '../../export/findings-csv.js';
import { renderMarkdown } from '../../export/findings-md.js';
import { latestFindings } from '../../export/latest-findings.js';

export interface ExportCliOptions {
  case: string;
  what: string;
  format: string;
  output?: string;
}

const FORMATS: Record<string, string[]> = {
  findings: ['json', 'md', 'csv'],
};

export async function runExport(opts: ExportCliOptions): Promise<number> {
  const formats = FORMATS[opts.what];
  if (!formats) {
    process.stderr.write(`error: --what ${opts.what} is not supported (use ${Object.keys(FORMATS).join(', ')})\n`);
    return 2;
  }
  if (!formats.includes(opts.format)) {
    process.stderr.write(`error: --what ${opts.what} exports as ${formats.join(', ')}, not ${opts.format}\n`);
    return 2;
  }
  let text: string;
  try {
    const db = await CaseDb.open(opts.case, { readOnly: true });
    try {
      const { body } = await latestFindings(db);
      text = opts.format === 'json' ? JSON.stringify(body, null, 2) + '\n' : opts.format === 'md' ? renderMarkdown(body) : renderCompromisedCsv(body);
    } finally {
      db.close();
    }
  } catch (err) {
    if (err instanceof CaseError) {
      process.stderr.write(`error: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  if (opts.output) writeFileSync(opts.output, text);
  else process.stdout.write(text);
  return 0;
}
