import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import { type LogTarget, qualifiedTable, quoteIdent, quoteLiteral } from '../core/identifiers.js'
import { COLUMNS } from '../core/columns.js'
import { sendCancelRequest } from './cancel-request.js'

/** The COMMIT was sent but its answer never came: the batch may or may not have landed. */
export class AmbiguousCommitError extends Error {
  readonly batch: string

  constructor (batch: string, cause: unknown) {
    super(`connection lost while committing batch ${batch}`, { cause })
    this.batch = batch
  }
}

/**
 * What a copy did: `loaded` the rows; found the batch's marker, so the rows had `landed-before`; or
 * found markers of parts of the batch (an earlier try isolated refused rows by halving it and some
 * halves committed), so the batch must be sent as its two halves (`split`), never whole.
 */
export type CopyOutcome = 'loaded' | 'landed-before' | 'split'

/** Markers released but not deleted yet that one transaction deletes at most. */
const RELEASE_PER_BATCH = 64

const NEWLINE = Buffer.from('\n')

/** The COPY statement that loads rows in COLUMNS order into the target. */
export function copyStatement (target: LogTarget): string {
  return `COPY ${qualifiedTable(target)} (${COLUMNS.map(quoteIdent).join(', ')}) FROM STDIN`
}

/**
 * Owns one dedicated pg connection and loads batches with COPY, each in a transaction that also
 * writes the batch's marker (`<schema>.curator_log_batches`, see schema/004_batch_markers.sql): a
 * batch sent again under the same id after a lost COMMIT answer, or by a process that replays a
 * spill file after another died mid-batch, is skipped when its marker (so its rows) is there.
 */
export class CopyWriter {
  #client: pg.Client | undefined
  #connecting: Promise<pg.Client> | undefined
  /** The client whose connect() has not returned yet, so that it can be abandoned too. */
  #opening: pg.Client | undefined
  /** True while a statement runs on `client`: abandoning it then also asks the server to cancel. */
  #busy = false
  readonly #copySql: string
  readonly #markers: string
  /** Batches whose outcome is known and recorded: their markers go in the next transaction. */
  #released: string[] = []
  /** The system_identifier of the server last connected to; null before, or where it may not be read. */
  serverId: string | null = null
  readonly #config: pg.ClientConfig

  readonly target: LogTarget

  constructor (config: pg.ClientConfig, target: LogTarget) {
    this.target = target
    this.#config = config
    this.#copySql = copyStatement(target)
    this.#markers = `${quoteIdent(target.schema)}.curator_log_batches`
  }

  /**
   * The batch's fate is settled and recorded where a retry would look (it left memory, or its spill
   * progress is on disk): its marker, and those of its parts, are deleted with the next batch.
   */
  release (batch: string): void {
    this.#released.push(batch)
  }

  /** A connected client, opening one when there is none. */
  connection (): Promise<pg.Client> {
    if (this.#client) return Promise.resolve(this.#client)
    this.#connecting ??= this.#open().finally(() => { this.#connecting = undefined })
    return this.#connecting
  }

  async #open (): Promise<pg.Client> {
    const client = new pg.Client(this.#config)
    // A broken connection is noticed by the next query; this only keeps the error from crashing the worker.
    client.on('error', () => { if (this.#client === client) this.#client = undefined })
    this.#opening = client
    try {
      await client.connect()
    } catch (err) {
      destroy(client)
      throw err
    } finally {
      if (this.#opening === client) this.#opening = undefined
    }
    // Names the server in spill files, so rows (and a transaction id) only ever go back to it.
    const id = await client.query('SELECT system_identifier::text AS id FROM pg_control_system()').catch(() => undefined)
    this.serverId = id?.rows[0]?.id ?? null
    this.#client = client
    return client
  }

  /** Drops the connection (after an error, or to abandon a stalled COPY at close). */
  reset (): void {
    const c = this.#client
    this.#client = undefined
    if (c) destroy(c)
  }

  /**
   * Gives up whatever this writer is waiting for (a connect, a COPY, a COMMIT), now: the server is
   * asked to cancel a running statement and the socket is destroyed, so the pending call rejects.
   * A COPY abandoned before its COMMIT was sent cannot commit; one abandoned during the COMMIT
   * rejects with AmbiguousCommitError.
   */
  abandon (): void {
    if (this.#client && this.#busy) sendCancelRequest(this.#client)
    this.reset()
    const opening = this.#opening
    this.#opening = undefined
    if (opening) destroy(opening)
  }

  /**
   * Loads the lines in one transaction under the batch id `batch` (`<root>/` then 0 or 1 per
   * halving), unless its marker says they landed already. Rejects with the server's error, or
   * AmbiguousCommitError (send it again under the same id).
   */
  async copy (lines: readonly string[], batch: string): Promise<CopyOutcome> {
    const client = await this.connection()
    this.#busy = true
    try {
      return await this.#copyIn(client, lines, batch)
    } finally {
      this.#busy = false
    }
  }

  async #copyIn (client: pg.Client, lines: readonly string[], batch: string): Promise<CopyOutcome> {
    const released = this.#released.slice(0, RELEASE_PER_BATCH)
    try {
      const results = await client.query(this.#beginSql(batch, lines.length > 1, released)) as unknown as pg.QueryResult[]
      const seen = results[results.length - 1].rows[0] as { landed: boolean, parts: boolean }
      if (seen.landed || seen.parts) {
        await this.#rollback(client)
        return seen.landed ? 'landed-before' : 'split'
      }
      // The newline goes separately: appending it to the joined text would copy a batch-sized string.
      const body = Buffer.from(lines.join('\n'), 'utf8')
      await pipeline(Readable.from([body, NEWLINE]), client.query(copyFrom(this.#copySql)))
    } catch (err) {
      await this.#rollback(client)
      throw err
    }
    try {
      await client.query('COMMIT')
    } catch (err) {
      this.reset()
      throw new AmbiguousCommitError(batch, err)
    }
    this.#released.splice(0, released.length)
    return 'loaded'
  }

  /**
   * One round trip: begin; wait for any other transaction of the same batch (a COMMIT still running
   * on the server after its client gave up or died) through an advisory lock on the batch's root, so
   * the next statement's snapshot sees its marker; delete released markers; then look for the
   * batch's marker and its parts' (one key range) and write the marker when there is none.
   */
  #beginSql (batch: string, withParts: boolean, released: string[]): string {
    const id = quoteLiteral(batch)
    const root = batch.slice(0, batch.indexOf('/') + 1)
    // Under the C collation, the ids that start with `b` followed by 0s and 1s lie in [b, b || '2').
    const range = (b: string): string => `(batch >= ${quoteLiteral(b)} AND batch < ${quoteLiteral(b + '2')})`
    const lookup = withParts ? range(batch) : `batch = ${id}`
    return `BEGIN ISOLATION LEVEL READ COMMITTED;
SELECT pg_advisory_xact_lock(hashtextextended(${quoteLiteral(`curator-log:batch:${root}`)}, 0));
${released.length > 0 ? `DELETE FROM ${this.#markers} WHERE ${released.map(range).join(' OR ')};` : ''}
WITH seen AS (SELECT batch FROM ${this.#markers} WHERE ${lookup}),
ins AS (INSERT INTO ${this.#markers} (batch) SELECT ${id} WHERE NOT EXISTS (SELECT 1 FROM seen) RETURNING batch)
SELECT EXISTS (SELECT 1 FROM seen WHERE batch = ${id}) AS landed, EXISTS (SELECT 1 FROM seen) AS parts`
  }

  async #rollback (client: pg.Client): Promise<void> {
    try {
      await client.query('ROLLBACK')
    } catch {
      this.reset()
    }
  }

  /** Closes the connection politely, or after `waitMs` by destroying it (a server that stopped answering). */
  async end (waitMs = 1000): Promise<void> {
    const c = this.#client
    this.#client = undefined
    if (!c) return
    let timer: NodeJS.Timeout | undefined
    await Promise.race([
      c.end().catch(() => {}),
      new Promise<void>(resolve => { timer = setTimeout(() => { destroy(c); resolve() }, waitMs) })
    ])
    clearTimeout(timer)
  }
}

/**
 * Drops a client without waiting for the server (end() waits for an answer that may never come).
 * Destroying the socket with an error is what makes a pending connect() reject too.
 */
export function destroy (client: pg.Client): void {
  (client as unknown as { connection: { stream: { destroy (err: Error): void } } }).connection.stream.destroy(new Error('curator-log: connection abandoned'))
}
