/**
 * A deterministic PostgreSQL 14+ csvlog (26 columns) of N statements with realistic repetition:
 * application sessions (connection received / authorized / statements / disconnection) running a
 * few dozen parameterized statement shapes with varying literals, prepared-statement executes
 * with `parameters:` details, multi-line statements (quoted newlines), some errors with their
 * statement, a long tail of ad-hoc statements, and a pg_dump session. Seeded: the same N gives
 * the same bytes.
 */
import { createWriteStream } from 'node:fs';

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const q = (s) => '"' + s.replace(/"/g, '""') + '"';

const SHAPES = [
  (r) => `SELECT id, email, name, created_at FROM users WHERE id = ${r.int(1, 500000)}`,
  (r) => `SELECT * FROM sessions WHERE token = '${r.hex(32)}' AND expires_at > now()`,
  (r) => `SELECT o.id, o.total, o.status, c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.customer_id = ${r.int(1, 90000)} ORDER BY o.created_at DESC LIMIT 20`,
  (r) => `INSERT INTO events (user_id, kind, payload, created_at) VALUES (${r.int(1, 500000)}, '${r.pick(['login', 'view', 'click', 'logout'])}', '{"page": "/p/${r.int(1, 999)}"}', now())`,
  (r) => `UPDATE accounts SET balance = balance + ${r.int(-500, 500)}.${r.int(0, 99)} WHERE id = ${r.int(1, 70000)}`,
  () => 'BEGIN',
  () => 'COMMIT',
  (r) => `SELECT count(*) FROM orders WHERE status = '${r.pick(['new', 'paid', 'shipped'])}'`,
  (r) => `SELECT p.id, p.sku, p.name, p.price FROM products p\n  JOIN product_categories pc ON pc.product_id = p.id\n WHERE pc.category_id = ${r.int(1, 300)}\n ORDER BY p.name\n LIMIT 50`,
  (r) => `DELETE FROM cart_items WHERE cart_id = ${r.int(1, 100000)} AND product_id = ${r.int(1, 20000)}`,
  (r) => `SELECT id, name FROM products WHERE id IN (${Array.from({ length: r.int(1, 12) }, () => r.int(1, 20000)).join(', ')})`,
  (r) => `UPDATE users SET last_login = now() WHERE id = ${r.int(1, 500000)}`,
  (r) => `SELECT c.relname FROM pg_catalog.pg_class c WHERE c.relname = 'orders_${r.int(2019, 2025)}'`,
  (r) => `INSERT INTO audit_trail (actor, action, object_id) VALUES ('app', 'update', ${r.int(1, 1e6)}) RETURNING id`,
];
// Prepared statements run by the driver: execute <name>: … with parameters in DETAIL.
const PREPARED = [
  ['S_1', 'SELECT id, email FROM users WHERE email = $1', (r) => `$1 = 'user${r.int(1, 500000)}@example.com'`],
  ['S_2', 'UPDATE inventory SET quantity = quantity - $1 WHERE product_id = $2', (r) => `$1 = '${r.int(1, 5)}', $2 = '${r.int(1, 20000)}'`],
  ['S_3', 'SELECT * FROM order_lines WHERE order_id = $1', (r) => `$1 = '${r.int(1, 2e6)}'`],
];
const USERS = [['app', 'shop', 'shop-api'], ['app', 'shop', 'shop-worker'], ['report', 'shop', 'metabase'], ['admin', 'postgres', 'psql']];

export async function writeCsvlog(path, statements, seed = 7) {
  const rand = rng(seed);
  const r = {
    int: (a, b) => a + Math.floor(rand() * (b - a + 1)),
    pick: (xs) => xs[Math.floor(rand() * xs.length)],
    hex: (n) => Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(rand() * 16)]).join(''),
  };
  const out = createWriteStream(path);
  let buf = [];
  let bytes = 0;
  const flush = async () => {
    if (buf.length === 0) return;
    const chunk = buf.join('');
    buf = [];
    bytes = 0;
    if (!out.write(chunk)) await new Promise((res) => out.once('drain', res));
  };
  const t0 = Date.UTC(2025, 2, 11, 8, 0, 0);
  let ms = 0;
  let written = 0;
  let pid = 20000;
  let lines = 0;
  const time = () => {
    const d = new Date(t0 + ms);
    return d.toISOString().replace('T', ' ').replace('Z', '') + ' UTC';
  };
  const row = (sess, severity, state, message, detail = '', query = '', tag = 'idle') => {
    const f = [time(), q(sess.user), q(sess.db), sess.pid, q(`${sess.ip}:${sess.port}`), sess.id, ++sess.line, q(tag), sess.start, `${sess.pid % 64}/${sess.line}`, 0, severity, state, q(message), detail ? q(detail) : '', '', '', '', '', query ? q(query) : '', '', '', q(sess.app), q('client backend'), '', 0];
    const line = f.join(',') + '\n';
    buf.push(line);
    bytes += line.length;
    lines += 1 + (message.split('\n').length - 1) + (query ? query.split('\n').length - 1 : 0) + (detail ? detail.split('\n').length - 1 : 0);
  };
  while (written < statements) {
    const [user, db, app] = written > statements / 2 && written < statements / 2 + 2000 ? ['backup', 'shop', 'pg_dump'] : r.pick(USERS);
    const sess = { user, db, app, pid: pid++, ip: `10.0.${r.int(0, 3)}.${r.int(2, 250)}`, port: r.int(30000, 60000), line: 0, start: time().replace(/\.\d+ UTC$/, ' UTC') };
    sess.id = `${Math.floor((t0 + ms) / 1000).toString(16)}.${sess.pid.toString(16)}`;
    ms += r.int(1, 30);
    row(sess, 'LOG', '00000', `connection received: host=${sess.ip} port=${sess.port}`, '', '', '');
    row(sess, 'LOG', '00000', `connection authorized: user=${user} database=${db} application_name=${app}`, '', '', 'authentication');
    const n = app === 'pg_dump' ? 40 : r.int(1, 200);
    for (let i = 0; i < n && written < statements; i++, written++) {
      ms += r.int(0, 3);
      if (app === 'pg_dump') {
        row(sess, 'LOG', '00000', `statement: COPY public.table_${i} (id, data, created_at) TO stdout;`, '', '', 'COPY');
        continue;
      }
      const x = rand();
      if (x < 0.2) {
        const [name, sql, params] = r.pick(PREPARED);
        row(sess, 'LOG', '00000', `duration: ${r.int(0, 40)}.${r.int(100, 999)} ms  execute ${name}: ${sql}`, `parameters: ${params(r)}`, '', 'SELECT');
      } else if (x < 0.203) {
        // Errors, with the failed statement in the query column.
        row(sess, 'ERROR', '42P01', `relation "tmp_${r.int(1, 50)}" does not exist`, '', `SELECT * FROM tmp_${r.int(1, 50)} WHERE id = ${r.int(1, 100)}`, 'SELECT');
      } else if (x < 0.213) {
        // The long tail: ad-hoc statements of many shapes.
        row(sess, 'LOG', '00000', `statement: SELECT col_${r.int(1, 40)}, count(*) FROM report_${r.int(1, 60)} WHERE day >= '2025-03-${String(r.int(1, 28)).padStart(2, '0')}' GROUP BY 1`, '', '', 'SELECT');
      } else {
        const sql = r.pick(SHAPES)(r);
        row(sess, 'LOG', '00000', rand() < 0.5 ? `duration: ${r.int(0, 9)}.${r.int(100, 999)} ms  statement: ${sql}` : `statement: ${sql}`, '', '', 'SELECT');
      }
      if (bytes > 1 << 20) await flush();
    }
    ms += r.int(1, 50);
    row(sess, 'LOG', '00000', `disconnection: session time: 0:00:0${r.int(1, 9)}.${r.int(100, 999)} user=${user} database=${db} host=${sess.ip} port=${sess.port}`, '', '', 'idle');
  }
  await flush();
  await new Promise((res) => out.end(res));
  return { statements: written, lines };
}
