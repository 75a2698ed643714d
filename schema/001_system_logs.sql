-- The log table, partitioned by month on "timestamp" (UTC month boundaries).
-- ${table}, ${schema}: quoted identifiers; ${table_name}, ${schema_name}: string literals.

CREATE TABLE ${table} (
  id            bigserial        NOT NULL,
  "timestamp"   timestamptz      NOT NULL DEFAULT now(),
  level         text             NOT NULL,
  logger        text,
  message       text             NOT NULL DEFAULT '',
  context       jsonb            NOT NULL DEFAULT '{}'::jsonb,
  request_id    text,
  user_id       text,
  ip_address    text,
  user_agent    text,
  path          text,
  method        text,
  status_code   integer,
  duration_ms   double precision,
  error_type    text,
  error_message text,
  stack_trace   text,
  hostname      text,
  pid           integer,
  PRIMARY KEY (id, "timestamp")
) PARTITION BY RANGE ("timestamp");

-- Append-only and write-heavy: every index is paid for on each COPY (see bench/index-sets.ts).
-- Equality-only lookups (request, user, path) use hash indexes: cheaper to maintain than btrees
-- and free of the btree's entry size limit. Newest-first queries use the timestamp btree; the level
-- filter has a small partial index over the rare levels; context containment uses jsonb_path_ops,
-- a fraction of jsonb_ops' write cost. Lookups by logger scan the timestamp index, as the
-- reference set's plans do for its common loggers.
CREATE INDEX ON ${table} ("timestamp" DESC);
CREATE INDEX ON ${table} USING hash (request_id);
CREATE INDEX ON ${table} USING hash (user_id);
CREATE INDEX ON ${table} USING hash (path);
CREATE INDEX ON ${table} (level, "timestamp" DESC) WHERE level IN ('warn', 'error', 'fatal');
CREATE INDEX ON ${table} USING gin (context jsonb_path_ops);

COMMENT ON TABLE ${table} IS 'curator-log: structured logs, partitioned by month';
COMMENT ON COLUMN ${table}.context IS 'Sanitized structured fields of the log line that have no column of their own';
COMMENT ON COLUMN ${table}.request_id IS 'Correlation id shared by every line of one request';

-- Creates the partitions for the months from p_from through p_months months later (UTC) that do not
-- exist yet, and returns their names. The advisory lock serialises concurrent callers (many processes
-- run this at start-up); it is held until the caller's transaction ends.
CREATE OR REPLACE FUNCTION ${schema}.curator_log_create_partitions(
  p_schema text, p_table text, p_from timestamptz, p_months integer
) RETURNS SETOF text LANGUAGE plpgsql AS $fn$
DECLARE
  m date := date_trunc('month', p_from AT TIME ZONE 'UTC')::date;
  part text;
BEGIN
  IF p_months < 0 OR p_months > 120 THEN
    RAISE EXCEPTION 'curator-log: months ahead must be between 0 and 120, got %', p_months;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('curator-log:partitions:' || p_schema || '.' || p_table));
  FOR i IN 0..p_months LOOP
    part := p_table || '_' || to_char(m, 'YYYY_MM');
    IF to_regclass(format('%I.%I', p_schema, part)) IS NULL THEN
      EXECUTE format(
        'CREATE TABLE %I.%I PARTITION OF %I.%I FOR VALUES FROM (%L) TO (%L)',
        p_schema, part, p_schema, p_table,
        to_char(m, 'YYYY-MM-DD') || ' 00:00:00+00',
        to_char((m + interval '1 month')::date, 'YYYY-MM-DD') || ' 00:00:00+00'
      );
      RETURN NEXT part;
    END IF;
    m := (m + interval '1 month')::date;
  END LOOP;
END
$fn$;

-- The partitions of p_schema.p_table with their bounds, oldest first.
CREATE OR REPLACE FUNCTION ${schema}.curator_log_partitions(p_schema text, p_table text)
RETURNS TABLE (partition_name text, range_from timestamptz, range_to timestamptz)
LANGUAGE sql STABLE AS $fn$
  SELECT c.relname::text,
         substring(pg_get_expr(c.relpartbound, c.oid) FROM 'FROM \(''([^'']+)''\)')::timestamptz,
         substring(pg_get_expr(c.relpartbound, c.oid) FROM 'TO \(''([^'']+)''\)')::timestamptz
  FROM pg_inherits i
  JOIN pg_class c ON c.oid = i.inhrelid
  JOIN pg_class p ON p.oid = i.inhparent
  JOIN pg_namespace n ON n.oid = p.relnamespace
  WHERE n.nspname = p_schema AND p.relname = p_table
  ORDER BY 2
$fn$;

-- Drops (or, with p_detach, detaches) every partition whose whole range lies before p_before, so no
-- row younger than the retention period is ever removed. Returns the names it dropped or detached.
CREATE OR REPLACE FUNCTION ${schema}.curator_log_drop_partitions(
  p_schema text, p_table text, p_before timestamptz, p_detach boolean DEFAULT false
) RETURNS SETOF text LANGUAGE plpgsql SET search_path = ${schema}, pg_catalog AS $fn$
DECLARE
  r record;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('curator-log:partitions:' || p_schema || '.' || p_table));
  FOR r IN
    SELECT partition_name, range_to FROM curator_log_partitions(p_schema, p_table)
  LOOP
    IF r.range_to IS NOT NULL AND r.range_to <= p_before THEN
      IF p_detach THEN
        EXECUTE format('ALTER TABLE %I.%I DETACH PARTITION %I.%I', p_schema, p_table, p_schema, r.partition_name);
      ELSE
        EXECUTE format('DROP TABLE %I.%I', p_schema, r.partition_name);
      END IF;
      RETURN NEXT r.partition_name;
    END IF;
  END LOOP;
END
$fn$;

SELECT ${schema}.curator_log_create_partitions(${schema_name}, ${table_name}, now(), 3);
