-- id: exfiltration.db_data_export
-- title: Data sent out of the database server: COPY TO file/program, INTO OUTFILE, pg_read_file, lo_export
-- phase: exfiltration
-- tactic: exfiltration
-- technique: T1048
-- level: critical
-- scan: db
-- entity: db_role
-- false_positives: ETL jobs writing CSV files on the server; COPY TO STDOUT by dump clients is not counted here
SELECT event_id, actor AS hit_key FROM events
WHERE class = 'datastore_activity' AND action = 'db_query' AND actor IS NOT NULL
  AND regexp_matches(CAST(attrs->'$.sql.exports' AS VARCHAR), 'copy_to_file|copy_to_program|into_outfile|into_dumpfile|pg_read_file|lo_export|load_file')
