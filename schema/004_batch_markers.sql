-- One row per COPY batch, written in the batch's own transaction, so that "did this batch commit?"
-- is answered by the data: the marker is there exactly when the rows are. A batch that may be sent
-- again (its COMMIT's answer was lost, or it is loaded from a spill file by a process that may have
-- died after the COMMIT) carries the same id each time and is skipped when its marker exists; unlike a
-- transaction id, the answer stays right on a server restored from a backup or promoted from an async
-- standby (a marker that is not there means rows that are not there either). The writer deletes a
-- marker once the batch's outcome is known and recorded; partition maintenance deletes what is left
-- (a process killed or cut off mid-batch) after 30 days. Ids: `<root>/` then one 0 or 1 per halving
-- of the batch (rows refused by the server are isolated by halving), so the markers of a batch and of
-- all its parts lie in one range of the primary key under the C collation.
CREATE TABLE IF NOT EXISTS ${schema}.curator_log_batches (
  batch text COLLATE "C" PRIMARY KEY,
  committed_at timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE ${schema}.curator_log_batches IS 'curator-log: one row per COPY batch committed and not yet known to its writer; see docs/delivery.md';
