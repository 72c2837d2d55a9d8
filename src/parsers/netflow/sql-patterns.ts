/**
 * Pieces the flow formats' SQL paths (vpc-flow.sql.ts, zeek-tsv.sql.ts) share: RE2 patterns that
 * accept exactly the values their JS parsers store as numbers, and the protocol names by number.
 */
import { protocolName } from './protocols.js';

/** A port, 0–65535 (leading zeros allowed: the JS parsers read `080` as 80). */
export const PORT = '([0-9]{1,4}|[0-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])';
/** An IP protocol number, 0–255. */
export const PROTOCOL = '([0-9]{1,2}|[01][0-9]{2}|2[0-4][0-9]|25[0-5])';
/** A byte or packet counter: up to 15 digits, exact in a double. */
export const COUNTER = '[0-9]{1,15}';
/** A DuckDB list literal of protocolName(n) for n = 0…255 (index it with number + 1). */
export const PROTOCOL_NAMES = `[${Array.from({ length: 256 }, (_, n) => `'${protocolName(n)}'`).join(', ')}]`;
