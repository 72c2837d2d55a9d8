/**
 * A large synthetic auth.log for benchmarks and crash tests: sshd (accepted, failed, invalid users,
 * disconnects, PAM), sudo, su, cron sessions, in Debian's traditional syslog format, time ascending.
 * Deterministic for a given seed (a small xorshift PRNG; no wall clock).
 */
import { rng } from './rng.mjs';
import { createWriteStream } from 'node:fs';


const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const USERS = ['root', 'admin', 'test', 'oracle', 'ubuntu', 'postgres', 'git', 'deploy', 'user', 'pi', 'ftp', 'guest'];
const STAFF = ['alice', 'bob', 'carol', 'deploy', 'ops'];
const HOSTS = ['web-01', 'web-02', 'bastion-01', 'db-01'];
const COMMANDS = ['/usr/bin/apt-get update', '/bin/systemctl restart nginx', '/usr/bin/tail -f /var/log/syslog', '/bin/cat /etc/shadow', '/usr/bin/vim /etc/hosts', '/bin/bash'];

function stamp(ms) {
  const d = new Date(ms);
  const day = String(d.getUTCDate()).padStart(2, ' ');
  const t = d.toISOString().slice(11, 19);
  return `${MONTHS[d.getUTCMonth()]} ${day} ${t}`;
}

/** Returns an iterator of lines (without newline). */
export function* authLines(count, seed = 1, startMs = Date.UTC(2025, 2, 1)) {
  const r = rng(seed);
  let t = startMs;
  let pid = 10000;
  const ip = () => `${Math.floor(r() * 223) + 1}.${Math.floor(r() * 255)}.${Math.floor(r() * 255)}.${Math.floor(r() * 254) + 1}`;
  let n = 0;
  while (n < count) {
    t += Math.floor(r() * 900);
    const host = HOSTS[Math.floor(r() * HOSTS.length)];
    const s = stamp(t);
    const k = r();
    pid = (pid + 1 + Math.floor(r() * 7)) % 4_000_000;
    const port = 1024 + Math.floor(r() * 64000);
    if (k < 0.45) {
      const a = ip();
      const u = USERS[Math.floor(r() * USERS.length)];
      const invalid = r() < 0.5;
      yield `${s} ${host} sshd[${pid}]: ${invalid ? `Invalid user ${u} from ${a} port ${port}` : `Failed password for ${u} from ${a} port ${port} ssh2`}`;
      n++;
      if (n < count) {
        yield `${s} ${host} sshd[${pid}]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${a}  user=${u}`;
        n++;
      }
      if (n < count) {
        yield `${s} ${host} sshd[${pid}]: Connection closed by ${invalid ? 'invalid' : 'authenticating'} user ${u} ${a} port ${port} [preauth]`;
        n++;
      }
    } else if (k < 0.6) {
      const a = `10.0.${Math.floor(r() * 4)}.${Math.floor(r() * 250) + 2}`;
      const u = STAFF[Math.floor(r() * STAFF.length)];
      yield `${s} ${host} sshd[${pid}]: Accepted publickey for ${u} from ${a} port ${port} ssh2: ED25519 SHA256:${Buffer.from(String(r())).toString('base64').slice(0, 43)}`;
      n++;
      if (n < count) {
        yield `${s} ${host} sshd[${pid}]: pam_unix(sshd:session): session opened for user ${u}(uid=1000) by (uid=0)`;
        n++;
      }
      if (n < count) {
        yield `${s} ${host} systemd-logind[612]: New session ${pid % 5000} of user ${u}.`;
        n++;
      }
    } else if (k < 0.8) {
      const u = STAFF[Math.floor(r() * STAFF.length)];
      yield `${s} ${host} sudo:   ${u} : TTY=pts/${Math.floor(r() * 5)} ; PWD=/home/${u} ; USER=root ; COMMAND=${COMMANDS[Math.floor(r() * COMMANDS.length)]}`;
      n++;
      if (n < count) {
        yield `${s} ${host} sudo: pam_unix(sudo:session): session opened for user root by ${u}(uid=1000)`;
        n++;
      }
    } else if (k < 0.95) {
      yield `${s} ${host} CRON[${pid}]: pam_unix(cron:session): session ${r() < 0.5 ? 'opened for user root by (uid=0)' : 'closed for user root'}`;
      n++;
    } else {
      const a = ip();
      yield `${s} ${host} sshd[${pid}]: Received disconnect from ${a} port ${port}:11: Bye Bye [preauth]`;
      n++;
    }
  }
}

/** Writes `count` lines to `path`; resolves with the byte size. */
export function writeAuthLog(path, count, seed = 1) {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(path);
    out.on('error', reject);
    const it = authLines(count, seed);
    let bytes = 0;
    const pump = () => {
      let chunk = [];
      // Not for…of: leaving that loop early would close the generator.
      for (let r = it.next(); !r.done; r = it.next()) {
        const line = r.value;
        chunk.push(line);
        if (chunk.length === 5000) {
          const text = chunk.join('\n') + '\n';
          bytes += Buffer.byteLength(text);
          chunk = [];
          if (!out.write(text)) return out.once('drain', pump);
        }
      }
      if (chunk.length) {
        const text = chunk.join('\n') + '\n';
        bytes += Buffer.byteLength(text);
        out.write(text);
      }
      out.end(() => resolve(bytes));
    };
    pump();
  });
}
