/**
 * db-01's PostgreSQL 16 stderr log, Debian's layout and prefix ('%m [%p] %q%u@%d '), rotated weekly
 * by logrotate with delaycompress: postgresql-16-main.log, .log.1, .log.2.gz. Multi-line messages
 * continue on TAB-indented lines, as PostgreSQL writes them.
 */
import { ROTATION, WINDOW } from '../estate.js';
import type { PgItem } from '../model.js';
import { pgTime } from '../time.js';
import { type FileRegistry, OutFile } from './out-file.js';

const DIR = 'db-01/var/log/postgresql';

export class PgWriter {
  private readonly segs: { from: number; to: number; rel: string; gzip: boolean }[];
  private idx = -1;
  private file: OutFile | null = null;
  count = 0;

  constructor(private readonly root: string, private readonly registry: FileRegistry) {
    const [r1, r2] = ROTATION.pg;
    this.segs = [
      { from: WINDOW.pgStart, to: r1!, rel: `${DIR}/postgresql-16-main.log.2.gz`, gzip: true },
      { from: r1!, to: r2!, rel: `${DIR}/postgresql-16-main.log.1`, gzip: false },
      { from: r2!, to: WINDOW.end, rel: `${DIR}/postgresql-16-main.log`, gzip: false },
    ];
  }

  async write(it: PgItem): Promise<void> {
    const i = this.segs.findIndex((s) => it.t >= s.from && it.t < s.to);
    if (i < 0) return;
    while (this.idx < i) {
      if (this.file) await this.file.close();
      this.idx++;
      this.file = new OutFile(this.root, this.segs[this.idx]!.rel, this.segs[this.idx]!.gzip, this.registry);
    }
    const f = this.file!;
    const lines = it.msg.split('\n');
    const n = f.line(`${pgTime(it.t)} [${it.pid}] ${it.who ? it.who + ' ' : ''}${it.level}:  ${lines[0]}`);
    for (let k = 1; k < lines.length; k++) f.line(`\t${lines[k]}`);
    f.mtime = it.t;
    this.count++;
    if (it.tag) {
      it.tag.evidence = { file: f.rel, line: n };
      it.tag.source = 'postgresql';
      it.tag.host = 'db-01';
    }
  }

  async drain(): Promise<void> {
    if (this.file) await this.file.drain();
  }

  async close(): Promise<void> {
    if (this.file) await this.file.close();
  }
}
