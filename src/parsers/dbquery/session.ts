/**
 * Database sessions rebuilt from a log: many logs write the user, client and database only on
 * the connection lines, and only the backend pid / connection id on each statement. The table
 * remembers them per session key so every statement carries them; events say which fields came
 * from the session (`attrs.from_session`) rather than from their own line.
 *
 * Per file, bounded (the oldest sessions are forgotten beyond MAX_SESSIONS).
 */

export interface DbSession {
  user?: string | null;
  database?: string | null;
  clientIp?: string | null;
  clientPort?: number | null;
  /** Client host name or `[local]` (Unix socket) when the client is not an IP address. */
  clientHost?: string | null;
  app?: string | null;
  /** Replication connection (pg_basebackup, a standby, logical replication). */
  replication?: boolean;
  /** Tables this session read in full (unfiltered SELECT, COPY … TO), for dump detection. */
  fullReads?: Set<string>;
}

const MAX_SESSIONS = 100_000;

export class SessionTable {
  private readonly map = new Map<string, DbSession>();

  get(key: string | null | undefined): DbSession | undefined {
    return key ? this.map.get(key) : undefined;
  }

  /** A new session under `key` (replacing a previous one with a reused pid / id). */
  open(key: string): DbSession {
    const s: DbSession = {};
    this.map.delete(key);
    this.map.set(key, s);
    if (this.map.size > MAX_SESSIONS) this.map.delete(this.map.keys().next().value!);
    return s;
  }

  /** The session under `key`, created when unknown. */
  ensure(key: string): DbSession {
    return this.map.get(key) ?? this.open(key);
  }

  close(key: string | null | undefined): void {
    if (key) this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
  }

  get size(): number {
    return this.map.size;
  }
}

/** Client programs whose sessions copy the database out. */
export const DUMP_CLIENTS = /^(pg_dump|pg_dumpall|pg_basebackup|pg_receivewal|mysqldump|mysqlpump|mydumper|mariadb-dump|xtrabackup|mariabackup)\b/i;

/** Distinct tables read in full by one session after which its full reads look like a dump. */
export const DUMP_SEQUENCE_TABLES = 5;
