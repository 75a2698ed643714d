import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import { type LogTarget, qualifiedTable, quoteIdent } from '../core/identifiers.js'
import { COLUMNS } from '../core/columns.js'
import { sendCancelRequest } from './cancel-request.js'

/** The COMMIT was sent but its answer never came: the batch may or may not have landed. */
export class AmbiguousCommitError extends Error {
  constructor (readonly xid: string, cause: unknown) {
    super(`connection lost while committing transaction ${xid}`, { cause })
  }
}

const NEWLINE = Buffer.from('\n')

/** The COPY statement that loads rows in COLUMNS order into the target. */
export function copyStatement (target: LogTarget): string {
  return `COPY ${qualifiedTable(target)} (${COLUMNS.map(quoteIdent).join(', ')}) FROM STDIN`
}

/**
 * Owns one dedicated pg connection and loads batches with COPY inside an explicit transaction whose
 * id it remembers, so that a COMMIT whose answer was lost can be resolved with txid_status().
 */
export class CopyWriter {
  #client: pg.Client | undefined
  #connecting: Promise<pg.Client> | undefined
  /** The client whose connect() has not returned yet, so that it can be abandoned too. */
  #opening: pg.Client | undefined
  /** True while a statement runs on `client`: abandoning it then also asks the server to cancel. */
  #busy = false
  readonly #copySql: string
  /** The system_identifier of the server last connected to; null before, or where it may not be read. */
  serverId: string | null = null
  readonly #config: pg.ClientConfig

  constructor (config: pg.ClientConfig, readonly target: LogTarget) {
    this.#config = config
    this.#copySql = copyStatement(target)
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

  /** Loads the lines in one transaction. Rejects with the server's error, or AmbiguousCommitError. */
  async copy (lines: readonly string[]): Promise<void> {
    const client = await this.connection()
    this.#busy = true
    try {
      await this.#copyIn(client, lines)
    } finally {
      this.#busy = false
    }
  }

  async #copyIn (client: pg.Client, lines: readonly string[]): Promise<void> {
    let xid: string | undefined
    try {
      const begun = await client.query('BEGIN; SELECT txid_current()::text AS xid') as unknown as pg.QueryResult[]
      xid = begun[1].rows[0].xid as string
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
      throw new AmbiguousCommitError(xid, err)
    }
  }

  /** 'committed', 'aborted' or 'in progress', asked on a fresh connection. */
  async transactionStatus (xid: string): Promise<string | null> {
    const client = await this.connection()
    const r = await client.query('SELECT txid_status($1::bigint) AS status', [xid])
    return r.rows[0].status as string | null
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
