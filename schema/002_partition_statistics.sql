-- New partitions take the per-column statistics targets set on the table (ALTER TABLE … ALTER COLUMN
-- … SET STATISTICS): PostgreSQL applies such a setting to the partitions that exist when it is made,
-- and a partition created later starts from the default. Otherwise as in 001.
CREATE OR REPLACE FUNCTION ${schema}.curator_log_create_partitions(
  p_schema text, p_table text, p_from timestamptz, p_months integer
) RETURNS SETOF text LANGUAGE plpgsql AS $fn$
DECLARE
  m date := date_trunc('month', p_from AT TIME ZONE 'UTC')::date;
  part text;
  col record;
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
      -- The default is NULL from PostgreSQL 17 on, -1 before it.
      FOR col IN
        SELECT a.attname, a.attstattarget FROM pg_attribute a
        WHERE a.attrelid = format('%I.%I', p_schema, p_table)::regclass
          AND a.attnum > 0 AND NOT a.attisdropped AND a.attstattarget >= 0
      LOOP
        EXECUTE format('ALTER TABLE %I.%I ALTER COLUMN %I SET STATISTICS %s', p_schema, part, col.attname, col.attstattarget);
      END LOOP;
      RETURN NEXT part;
    END IF;
    m := (m + interval '1 month')::date;
  END LOOP;
END
$fn$;
