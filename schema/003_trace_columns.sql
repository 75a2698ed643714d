-- OpenTelemetry trace correlation: the W3C ids of the span a line was written in, so that logs join
-- traces. trace_id: 32 lowercase hex digits; span_id: 16; trace_flags: the W3C flags byte as a
-- number (bit 0: sampled). NULL when the line was written outside any trace. Adding NULL columns
-- is a catalog change only: no partition is rewritten.
ALTER TABLE ${table}
  ADD COLUMN IF NOT EXISTS trace_id text,
  ADD COLUMN IF NOT EXISTS span_id text,
  ADD COLUMN IF NOT EXISTS trace_flags smallint;

COMMENT ON COLUMN ${table}.trace_id IS 'OpenTelemetry / W3C trace id (32 lowercase hex digits) of the span the line was written in';
COMMENT ON COLUMN ${table}.span_id IS 'OpenTelemetry / W3C span id (16 lowercase hex digits)';
COMMENT ON COLUMN ${table}.trace_flags IS 'W3C trace-flags byte (bit 0: sampled)';

-- Lookup by trace id is an equality: a hash index, as for request_id (cheaper to maintain than a
-- btree), and partial, so that the many lines written outside a trace cost it nothing.
DO $do$
BEGIN
  IF NOT EXISTS (
    SELECT 1 FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
    WHERE i.indrelid = format('%I.%I', ${schema_name}, ${table_name})::regclass AND i.indnatts = 1 AND a.attname = 'trace_id'
  ) THEN
    CREATE INDEX ON ${table} USING hash (trace_id) WHERE trace_id IS NOT NULL;
  END IF;
END
$do$;
