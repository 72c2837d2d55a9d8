import { DuckDBInstance } from '@duckdb/node-api';
import { pgLinesSql } from '/work/wt-pgfast/dist/parsers/postgres-csvlog.sql.js';
const file = process.argv[2];
const i = await DuckDBInstance.create(':memory:'); const c = await i.connect();
await c.run('SET preserve_insertion_order = true');
const t = async (name, sql) => { const t0 = performance.now(); const u0 = process.cpuUsage(); await c.run(sql); const u = process.cpuUsage(u0); console.log(name.padEnd(12), ((performance.now()-t0)/1000).toFixed(2)+'s wall', ((u.user+u.system)/1e6).toFixed(2)+'s cpu'); };
await t('lines', pgLinesSql('L', file, 'none', 4<<20));
await t('records', `CREATE TEMP TABLE RR AS SELECT nrec - 1 AS seq, line AS rline, text AS raw FROM L WHERE text IS NOT NULL AND (cq - qc) % 2 = 0 AND cq % 2 = 0
  UNION ALL SELECT nrec - 1, min(line), string_agg(coalesce(text, ''), chr(10) ORDER BY line) FROM L WHERE (cq - qc) % 2 = 1 OR (text IS NOT NULL AND cq % 2 = 1) GROUP BY nrec`);
await t('extract_all', `CREATE TEMP TABLE G AS SELECT seq, raw, regexp_extract_all(',' || raw, ',("(?:[^"]|"")*"|[^",]*)', 1) AS g FROM RR`);
await t('tiled', `SELECT count(*) FROM G WHERE coalesce(list_sum(list_transform(g, x -> strlen(x) + 1)) = strlen(raw) + 1, false)`);
await t('unquote', `CREATE TEMP TABLE U AS SELECT seq, raw, list_transform(g, x -> CASE WHEN starts_with(x, '"') THEN replace(substr(x, 2, length(x) - 2), '""', '"') ELSE x END) AS u FROM G`);
await t('stmt_re', `CREATE TEMP TABLE S AS SELECT seq, regexp_extract(u[14], '^(?:duration: ([0-9.]+) ms\\s+)?(?:(statement)|(execute|parse|bind) (?:fetch from )?(\\S+?)):(?: |$)([\\s\\S]*)$', ['dur', 'isst', 'step', 'name', 'stext']) AS st FROM U`);
await t('fp', `SELECT count(DISTINCT left(sha1(trim(regexp_replace(regexp_replace(regexp_replace(regexp_replace(st.stext, '("(?:[^"]|"")*(?:"|$))|[eE]''(?:[^''\\\\]|\\\\[\\s\\S]|'''')*(?:''|$)|''(?:[^'']|'''')*(?:''|$)|/\\*[\\s\\S]*?(?:\\*/|$)|--[^\\n]*|\\b[0-9]+(?:\\.[0-9]*)?(?:[eE][-+]?[0-9]+)?\\b', '\\1', 'g'), '\\s+', ' ', 'g'), '\\((?: ?,)* ?\\)', '(,)', 'g'), '\\(,?\\)(?: ?, ?\\(,?\\))+', '(,)', 'g'), ' ')), 16)) FROM S`);
await t('ctrl', `SELECT count(*) FROM RR WHERE NOT regexp_matches(raw, '[\\x00-\\x08\\x0b-\\x1f]')`);
await t('nonascii', `SELECT count(*) FROM RR WHERE (strlen(raw) = length(raw) OR NOT regexp_matches(raw, '[\\x{85}\\x{a0}]'))`);
