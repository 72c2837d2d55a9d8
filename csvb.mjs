import { DuckDBInstance } from '@duckdb/node-api';
import fs from 'node:fs';
const N = 3_000_000;
const path = '/tmp/b/t2.duckdb'; try { fs.rmSync(path); } catch {}
const inst = await DuckDBInstance.create(path);
const con = await inst.connect();
await con.run(`CREATE TABLE events (event_id BIGINT, ts TIMESTAMP, ts_end TIMESTAMP, time_quality VARCHAR, source VARCHAR, class VARCHAR, action VARCHAR, outcome VARCHAR, host VARCHAR, actor VARCHAR, src_ip VARCHAR, src_port INTEGER, dst_ip VARCHAR, dst_port INTEGER, protocol VARCHAR, session VARCHAR, access_key VARCHAR, target VARCHAR, bytes_in BIGINT, bytes_out BIGINT, packets BIGINT, rows BIGINT, command VARCHAR, summary VARCHAR, attrs JSON, evidence_id INTEGER, line BIGINT, byte_offset BIGINT, raw VARCHAR)`);
const t0 = Date.now();
const fd = fs.openSync('/tmp/b/t2.tsv', 'w');
let buf = '';
for (let i = 0; i < N; i++) {
  const ip = `203.0.${(i>>8)&255}.${i&255}`;
  const raw = `Mar 11 19:26:39 web1 sshd[${i%30000}]: Failed password for invalid user admin${i%500} from ${ip} port ${40000+i%20000} ssh2`;
  buf += `${i}\t2026-03-11 19:26:39.${String(i%1000000).padStart(6,'0')}\t\tyear_inferred\tauth_log\tauthentication\tssh_login_failed\tfailure\tweb1\tadmin${i%500}\t${ip}\t${40000+i%20000}\t\t\tssh\t${i%30000}\t\t\t\t\t\t\t\tssh password failure for invalid user admin${i%500} from ${ip}\t{"method":"password","pid":${i%30000}}\t1\t${i+1}\t${i*110}\t${raw}\n`;
  if (buf.length > 1<<22) { fs.writeSync(fd, buf); buf = ''; }
}
fs.writeSync(fd, buf); fs.closeSync(fd);
const t1 = Date.now(); console.log('tsv write', t1 - t0, fs.statSync('/tmp/b/t2.tsv').size/1e6, 'MB');
await con.run(`INSERT INTO events SELECT * FROM read_csv('/tmp/b/t2.tsv', delim='\t', header=false, quote='', escape='', nullstr='', columns={'event_id':'BIGINT','ts':'TIMESTAMP','ts_end':'TIMESTAMP','time_quality':'VARCHAR','source':'VARCHAR','class':'VARCHAR','action':'VARCHAR','outcome':'VARCHAR','host':'VARCHAR','actor':'VARCHAR','src_ip':'VARCHAR','src_port':'INTEGER','dst_ip':'VARCHAR','dst_port':'INTEGER','protocol':'VARCHAR','session':'VARCHAR','access_key':'VARCHAR','target':'VARCHAR','bytes_in':'BIGINT','bytes_out':'BIGINT','packets':'BIGINT','rows':'BIGINT','command':'VARCHAR','summary':'VARCHAR','attrs':'JSON','evidence_id':'INTEGER','line':'BIGINT','byte_offset':'BIGINT','raw':'VARCHAR'})`);
await con.run('CHECKPOINT');
console.log('load', Date.now() - t1, 'rss', process.memoryUsage().rss/1e6);
