/**
 * PostgreSQL 16 stderr log lines as Debian's packaging configures them (log_line_prefix
 * '%m [%p] %q%u@%d ', log_connections, log_disconnections, log_statement = 'all'): connection
 * life cycle, simple-protocol statements, extended-protocol executes with their parameters.
 */
import type { Emitter } from './emit.js';
import { DB } from './estate.js';
import type { PgItem, Tag } from './model.js';
import type { Rng } from './rng.js';
import { pgInterval } from './time.js';

export interface PgCtx {
  E: Emitter;
  rng: Rng;
  tag?: Tag;
}

export interface PgSession {
  pid: number;
  user: string;
  db: string;
  /** Client address or `[local]`. */
  client: string;
  port: number | null;
  app: string;
  start: number;
  who: string;
}

export interface ConnectOpts {
  t: number;
  pid: number;
  user: string;
  db?: string;
  client: string;
  port: number | null;
  app: string;
  /** pg_hba.conf line and method (scram-sha-256 over TCP, peer on the socket). */
  method?: 'scram-sha-256' | 'peer';
  identity?: string;
  hbaLine?: number;
}

export function pgConnect(c: PgCtx, o: ConnectOpts): { session: PgSession; items: PgItem[] } {
  const db = o.db ?? DB.name;
  const who = `${o.user}@${db}`;
  const items: PgItem[] = [];
  let t = o.t;
  items.push(c.E.pg(t, o.pid, '[unknown]@[unknown]', 'LOG', o.client === '[local]' ? 'connection received: host=[local]' : `connection received: host=${o.client} port=${o.port}`, c.tag));
  t += c.rng.int(1_500, 9_000);
  const method = o.method ?? (o.client === '[local]' ? 'peer' : 'scram-sha-256');
  const line = o.hbaLine ?? (method === 'peer' ? 118 : 104);
  items.push(c.E.pg(t, o.pid, who, 'LOG', `connection authenticated: identity="${o.identity ?? o.user}" method=${method} (${DB.hbaFile}:${line})`, c.tag));
  t += c.rng.int(200, 2_000);
  const ssl = o.client === '[local]' ? '' : ' SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)';
  items.push(c.E.pg(t, o.pid, who, 'LOG', `connection authorized: user=${o.user} database=${db} application_name=${o.app}${ssl}`, c.tag));
  return { session: { pid: o.pid, user: o.user, db, client: o.client, port: o.port, app: o.app, start: o.t, who }, items };
}

/** A simple-protocol statement (psql, pg_dump): `LOG:  statement: …`. */
export function pgStatement(c: PgCtx, s: PgSession, t: number, sql: string): PgItem {
  return c.E.pg(t, s.pid, s.who, 'LOG', `statement: ${sql}`, c.tag);
}

/** An extended-protocol execute with its parameters (drivers: node-postgres, JDBC). */
export function pgExecute(c: PgCtx, s: PgSession, t: number, sql: string, params: string[], name = '<unnamed>'): PgItem {
  const item = c.E.pg(t, s.pid, s.who, 'LOG', `execute ${name}: ${sql}`, c.tag);
  if (params.length > 0) {
    const p = params.map((v, i) => `$${i + 1} = ${v === 'NULL' ? 'NULL' : `'${v.replace(/'/g, "''")}'`}`).join(', ');
    c.E.pg(t, s.pid, s.who, 'DETAIL', `parameters: ${p}`, c.tag);
  }
  return item;
}

/** An ERROR with its DETAIL and the failing STATEMENT. */
export function pgError(c: PgCtx, s: PgSession, t: number, error: string, detail: string | null, statement: string): PgItem {
  const item = c.E.pg(t, s.pid, s.who, 'ERROR', error, c.tag);
  if (detail) c.E.pg(t, s.pid, s.who, 'DETAIL', detail, c.tag);
  c.E.pg(t, s.pid, s.who, 'STATEMENT', statement, c.tag);
  return item;
}

export function pgDisconnect(c: PgCtx, s: PgSession, t: number): PgItem {
  const host = s.client === '[local]' ? 'host=[local]' : `host=${s.client} port=${s.port}`;
  return c.E.pg(t, s.pid, s.who, 'LOG', `disconnection: session time: ${pgInterval(t - s.start)} user=${s.user} database=${s.db} ${host}`, c.tag);
}
