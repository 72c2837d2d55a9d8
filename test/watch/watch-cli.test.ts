/**
 * `dwell watch` end to end with the real CLI: a case built from a fixture and correlated, then the
 * live folder grows (appends, a rotation, a CloudTrail .json.gz and a Zeek log dropped in) while
 * watch runs; each alert must appear once, benign lines none, and verify must still pass.
 */
import { appendFileSync, closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dwell, tempDir } from '../helpers/cli.js';
import { CaseDb } from '../../src/store/case-db.js';
import { latestFindings } from '../../src/export/latest-findings.js';
import { watchReport } from '../../src/watch/report.js';
import { DuckDbSource } from '../../src/tui/data/duckdb-source.js';
import { caseSummary } from '../../src/tui/components/Header.js';
import { alerts, smallCase, sshLine, startWatch } from './helpers.js';

const STOLEN_KEY = 'AKIAWATCHSTOLEN00001';

function cloudTrail(records: { key: string; ip: string; name: string }[]): Buffer {
  const now = new Date().toISOString().slice(0, 19) + 'Z';
  const body = {
    Records: records.map((r, i) => ({
      eventVersion: '1.09',
      userIdentity: { type: 'IAMUser', principalId: 'AIDAEXAMPLE', arn: 'arn:aws:iam::111122223333:user/ci', accountId: '111122223333', accessKeyId: r.key, userName: 'ci' },
      eventTime: now,
      eventSource: 's3.amazonaws.com',
      eventName: r.name,
      awsRegion: 'eu-west-1',
      sourceIPAddress: r.ip,
      userAgent: 'aws-cli/2.15.30',
      requestParameters: { bucketName: 'corp-data' },
      responseElements: null,
      eventID: `0000000${i}-aaaa-bbbb-cccc-000000000000`,
      eventType: 'AwsApiCall',
      recipientAccountId: '111122223333',
    })),
  };
  return gzipSync(JSON.stringify(body));
}

function zeekConn(rows: { src: string; dst: string }[]): string {
  const ts = (Date.now() / 1000).toFixed(6);
  return [
    '#separator \\x09',
    '#set_separator\t,',
    '#empty_field\t(empty)',
    '#unset_field\t-',
    '#path\tconn',
    '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents',
    '#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]',
    ...rows.map((r, i) => `${ts}\tCw${i}abcdefabcdef\t${r.src}\t40000\t${r.dst}\t22\ttcp\tssh\t1.0\t100\t200\tSF\tF\tT\t0\tShAD\t3\t200\t3\t300\t(empty)`),
    '',
  ].join('\n');
}

describe('dwell watch', () => {
  let dir: { path: string; cleanup: () => void };
  let live: string;
  let casePath: string;

  beforeAll(async () => {
    dir = tempDir('dwell-watch-');
    ({ live, casePath } = await smallCase(dir.path));
  });
  afterAll(() => dir.cleanup());

  it('alerts once on the attacker coming back through appends, a rotation, a CloudTrail .json.gz and a Zeek log; benign lines raise none; verify passes', async () => {
    const w = await startWatch(['--case', casePath, '--add', `key:${STOLEN_KEY}`, live], dir.path);
    let rotatedEvent = 0;
    try {
      const auth = join(live, 'auth.log');
      appendFileSync(auth, sshLine('Failed password for invalid user admin from 203.0.113.77 port 50001 ssh2', 4001));
      appendFileSync(auth, sshLine('Accepted publickey for alice from 10.0.0.5 port 50002 ssh2', 4002));
      await w.until((l) => alerts(l).length >= 1, 10_000, 'the appended attacker line');

      // Rotation: a last line into the old file, renamed away, a new file with the back door account.
      appendFileSync(auth, sshLine('Failed password for root from 203.0.113.77 port 50003 ssh2', 4003));
      renameSync(auth, join(live, 'auth.log.1'));
      writeFileSync(auth, sshLine('Accepted password for sysupdate from 198.51.100.23 port 50004 ssh2', 4004) + sshLine('Accepted publickey for bob from 10.0.0.6 port 50005 ssh2', 4005));

      // A CloudTrail file synced in (written beside, then renamed into the folder) and a Zeek log.
      const staging = join(dir.path, 'sync');
      mkdirSync(staging, { recursive: true });
      writeFileSync(join(staging, 'ct.json.gz'), cloudTrail([{ key: STOLEN_KEY, ip: '198.51.100.99', name: 'ListBuckets' }, { key: 'AKIABENIGNKEY0000001', ip: '10.0.0.9', name: 'ListBuckets' }]));
      mkdirSync(join(live, 'AWSLogs'), { recursive: true });
      renameSync(join(staging, 'ct.json.gz'), join(live, 'AWSLogs', '111122223333_CloudTrail_eu-west-1_20261207T0000Z_watch.json.gz'));
      writeFileSync(join(live, 'conn.log'), zeekConn([{ src: '203.0.113.77', dst: '10.0.1.25' }, { src: '10.0.0.7', dst: '10.0.1.25' }]));

      await w.until((l) => alerts(l).length >= 5, 15_000, 'five alerts');
      // Nothing more arrives: benign lines stay silent and nothing is alerted twice.
      await new Promise((r) => setTimeout(r, 1500));
      const got = alerts(w.lines);
      expect(got.map((a) => a.matched).sort()).toEqual(
        [`access_key:${STOLEN_KEY} (access_key)`, 'ip:203.0.113.77 (src_ip)', 'ip:203.0.113.77 (src_ip)', 'ip:203.0.113.77 (src_ip)', 'local_user:sysupdate (actor)'].sort(),
      );
      expect(new Set(got.map((a) => a.event.event_id)).size).toBe(got.length);
      const sysupdate = got.find((a) => a.matched.startsWith('local_user:sysupdate'))!;
      expect(sysupdate.severity).toBe('critical');
      expect(sysupdate.evidence.line).toBe(1);
      expect(got.find((a) => a.event.summary.includes('alice') || a.event.summary.includes('bob'))).toBeUndefined();
      rotatedEvent = got.find((a) => a.event.summary.includes('port 50003'))!.event.event_id;
    } finally {
      expect(await w.stop('SIGTERM')).toBe(0);
    }
    // The rotated file's last line was read from the file itself; its evidence row follows it to its new name.
    const db = await CaseDb.open(casePath, { readOnly: true });
    try {
      const row = await db.one<{ path: string; renamed: string | null }>(
        `SELECT v.path, json_extract_string(v.info, '$.renamed_from') AS renamed FROM events e JOIN evidence v USING (evidence_id) WHERE e.event_id = $id`,
        { id: rotatedEvent },
      );
      expect(row!.path).toMatch(/auth\.log\.1$/);
      expect(row!.renamed).toMatch(/auth\.log$/);
      // The report's view: the back door account was used after containment, as the findings would say.
      const { body } = await latestFindings(db);
      const rep = await watchReport(db, body.backdoors);
      expect(rep.alerts).toHaveLength(5);
      expect(rep.backdoors.find((b) => b.kind === 'local_user' && b.value === 'sysupdate')).toMatchObject({ used_after_containment: true, attempted_after_containment: true });
      expect(rep.backdoors.find((b) => b.kind === 'ssh_authorized_key')).toMatchObject({ used_after_containment: false, attempted_after_containment: false });
    } finally {
      db.close();
    }
    const v = await dwell(['verify', '--case', casePath]);
    expect(v.stdout).toMatch(/0 CHANGED, 0 MISSING/);
    expect(v.code).toBe(0);

    // dwell report shows them: the section with each alert's evidence file:line, and the back door used after containment.
    const rep = await dwell(['export', '--case', casePath, '--what', 'findings', '--format', 'md']);
    expect(rep.code, rep.stderr).toBe(0);
    const section = rep.stdout.split('## After containment: alerts')[1]!.split('\n<a id=')[0]!;
    expect(section).toMatch(/dwell watch raised 5 alerts, 5 on events after containment\./);
    expect(section.split('\n').filter((l) => l.startsWith('| 20'))).toHaveLength(5);
    expect(section).toMatch(/\| critical \| local_user:sysupdate \(actor\) \| \*\*yes\*\* \|.*auth\.log:1 \|/);
    expect(rep.stdout.split('## Back doors')[1]!.split('\n<a id=')[0]).toMatch(/\| local_user \| sysupdate \|.*\| \*\*YES\*\* \|/);

    // dwell tui shows them: the count in the header, the alert in the event's detail.
    const source = await DuckDbSource.open(casePath);
    try {
      expect(source.info.alerts).toMatchObject({ count: 5, critical: 1 });
      expect(caseSummary(source.info)).toMatch(/⚠ 5 alerts \(1 critical\)/);
      const d = await source.detail(rotatedEvent);
      expect(d!.alert).toMatchObject({ severity: 'medium', matched: 'ip:203.0.113.77 (src_ip)', afterContainment: true });
      expect(d!.evidence!.followed).toBe(true);
      expect((await source.verify(d!.evidence!)).state).toBe('OK');
    } finally {
      source.close();
    }
  });

  it('resumes after kill -9 without losing or duplicating an event, and hands over alerts stored before the kill', async () => {
    const auth = join(live, 'auth.log');
    let w = await startWatch(['--case', casePath, live], dir.path);
    let written = 0;
    // Lines keep coming while the watcher is killed mid-stream, then restarted.
    const writeSome = (n: number) => {
      for (let i = 0; i < n; i++, written++) appendFileSync(auth, sshLine(`Failed password for invalid user u${written} from ${written % 10 === 0 ? '203.0.113.77' : '192.0.2.' + (written % 200)} port ${10000 + written} ssh2`, 5000 + written));
    };
    writeSome(40);
    await w.until((l) => alerts(l).length >= 1, 10_000, 'a first alert');
    for (let k = 0; k < 5; k++) {
      writeSome(20);
      await new Promise((r) => setTimeout(r, 40 + k * 30));
    }
    await w.stop('SIGKILL');
    writeSome(40);
    w = await startWatch(['--case', casePath, live], dir.path);
    writeSome(20);
    await new Promise((r) => setTimeout(r, 2000));
    expect(await w.stop('SIGTERM')).toBe(0);

    const db = await CaseDb.open(casePath, { readOnly: true });
    try {
      const ev = await db.all<{ n: number; lines: number; first: number; last: number }>(
        `SELECT count(*)::INTEGER AS n, count(DISTINCT line)::INTEGER AS lines, min(line)::INTEGER AS first, max(line)::INTEGER AS last FROM events e
         JOIN evidence v USING (evidence_id) WHERE v.path LIKE '%auth.log' AND e.summary LIKE '%invalid user u%'`,
      );
      expect(ev[0]!.n).toBe(written);
      expect(ev[0]!.lines).toBe(written);
      expect(ev[0]!.last - ev[0]!.first + 1).toBe(written);
      const al = await db.all<{ n: number; events: number }>(
        `SELECT count(*)::INTEGER AS n, count(DISTINCT a.event_id)::INTEGER AS events FROM alerts a JOIN events e USING (event_id) WHERE e.summary LIKE '%invalid user u%'`,
      );
      expect(al[0]!.n).toBe(written / 10);
      expect(al[0]!.events).toBe(written / 10);
      const unsent = await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM alerts WHERE notified_at IS NULL`);
      expect(unsent!.n).toBe(0);
      const gaps = await db.all(
        `SELECT evidence_id FROM (SELECT evidence_id, start_offset, lag(end_offset) OVER (PARTITION BY evidence_id ORDER BY start_offset) AS prev FROM evidence_extents) WHERE prev IS NOT NULL AND prev <> start_offset`,
      );
      expect(gaps).toEqual([]);
    } finally {
      db.close();
    }
    const v = await dwell(['verify', '--case', casePath]);
    expect(v.code).toBe(0);
  });

  it('takes a logrotate cycle (rename, new file, compress, delete) without storing an event twice', async () => {
    const folder = join(dir.path, 'rotating');
    mkdirSync(folder, { recursive: true });
    const auth = join(folder, 'auth.log');
    writeFileSync(auth, sshLine('Accepted publickey for carol from 10.0.0.8 port 61000 ssh2', 8000));
    const w = await startWatch(['--case', casePath, folder], dir.path);
    try {
      appendFileSync(auth, sshLine('Failed password for root from 203.0.113.77 port 61001 ssh2', 8001));
      await w.until((l) => alerts(l).some((a) => a.event.summary.includes('61001')), 10_000, 'the first alert');
      renameSync(auth, join(folder, 'auth.log.1'));
      writeFileSync(auth, sshLine('Failed password for root from 203.0.113.77 port 61002 ssh2', 8002));
      await w.until((l) => alerts(l).some((a) => a.event.summary.includes('61002')), 10_000, 'the alert from the new file');
      // delaycompress, next cycle: auth.log.1 is compressed to auth.log.1.gz and removed.
      writeFileSync(join(folder, 'auth.log.1.gz'), gzipSync(readFileSync(join(folder, 'auth.log.1'))));
      rmSync(join(folder, 'auth.log.1'));
      await w.until((l) => l.some((x) => x.type === 'note' && String(x.message).includes('gzip of followed evidence')), 10_000, 'the compressed copy noted');
      await new Promise((r) => setTimeout(r, 500));
      expect(alerts(w.lines).filter((a) => a.event.summary.includes('61001'))).toHaveLength(1);
    } finally {
      expect(await w.stop('SIGTERM')).toBe(0);
    }
    const db = await CaseDb.open(casePath, { readOnly: true });
    try {
      const rows = await db.all<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM events WHERE summary LIKE '%port 61001%' OR summary LIKE '%port 61000%'`);
      expect(rows[0]!.n).toBe(2);
      const dup = await db.one<{ status: string; duplicate_of: number | null }>(`SELECT status, duplicate_of FROM evidence WHERE path LIKE '%auth.log.1.gz'`);
      expect(dup).toMatchObject({ status: 'duplicate' });
      expect(dup!.duplicate_of).not.toBeNull();
    } finally {
      db.close();
    }
  });

  it('reads a new file that reuses a deleted file’s inode as new evidence, within a run and after a restart', async () => {
    // ext4 gives a deleted file's inode to the next new file at once: the inode alone must not say "stored already".
    const folder = join(dir.path, 'reused');
    mkdirSync(folder, { recursive: true });
    const line = (port: number) => sshLine(`Failed password for root from 203.0.113.77 port ${port} ssh2`, port);
    const seenPort = (port: number) => (l: Record<string, unknown>[]) => alerts(l).some((a) => a.event.summary.includes(`port ${port}`));
    writeFileSync(join(folder, 'old.log.gz'), gzipSync(line(62001)));
    let w = await startWatch(['--case', casePath, folder], dir.path);
    try {
      await w.until(seenPort(62001), 10_000, 'the alert from the first archive');
      const before = statSync(join(folder, 'old.log.gz')).ino;
      rmSync(join(folder, 'old.log.gz'));
      writeFileSync(join(folder, 'new.log.gz'), gzipSync(line(62002)));
      if (statSync(join(folder, 'new.log.gz')).ino !== before) console.warn('inode not reused by this file system: the within-run case is not exercised');
      await w.until(seenPort(62002), 10_000, 'the alert from the archive on the reused inode');
      writeFileSync(join(folder, 'live.log'), line(62003));
      await w.until(seenPort(62003), 10_000, 'the alert from the followed file');
    } finally {
      expect(await w.stop('SIGTERM')).toBe(0);
    }
    const liveIno = statSync(join(folder, 'live.log')).ino;
    rmSync(join(folder, 'live.log'));
    writeFileSync(join(folder, 'next.log'), line(62004));
    if (statSync(join(folder, 'next.log')).ino !== liveIno) console.warn('inode not reused by this file system: the restart case is not exercised');
    w = await startWatch(['--case', casePath, folder], dir.path);
    try {
      await w.until(seenPort(62004), 10_000, 'the alert from the new file on the reused inode after a restart');
      expect(w.lines.filter((x) => x.type === 'custody')).toEqual([]);
    } finally {
      expect(await w.stop('SIGTERM')).toBe(0);
    }
  });

  it('reports a followed file altered in the part already read, reads no more of it, and verify names the extent', async () => {
    const auth = join(live, 'auth.log');
    const w = await startWatch(['--case', casePath, live], dir.path);
    try {
      // Same length, other bytes, same inode: someone edited a line already read.
      const fd = openSync(auth, 'r+');
      writeSync(fd, 'X', 0);
      closeSync(fd);
      appendFileSync(auth, sshLine('Failed password for root from 203.0.113.77 port 60001 ssh2', 6001));
      await w.until((l) => l.some((x) => x.type === 'custody'), 10_000, 'a custody notice');
      await new Promise((r) => setTimeout(r, 600));
      expect(alerts(w.lines).filter((a) => a.event.summary.includes('60001'))).toEqual([]);
    } finally {
      await w.stop('SIGTERM');
    }
    const v = await dwell(['verify', '--case', casePath]);
    expect(v.code).toBe(1);
    expect(v.stdout).toMatch(/CHANGED.*auth\.log .*followed file: bytes 0–\d+ \(read as one extent\) changed/);
  });
});
