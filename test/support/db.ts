import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import pino from 'pino'
import type { Test } from 'tap'
import { type LogTarget, qualifiedTable, quoteIdent } from '../../lib/core/identifiers.js'
import { migrate } from '../../lib/database/migrate.js'
import type { TransportOptions } from '../../lib/core/transport-options.js'
import type { TransportStats } from '../../lib/core/transport-stats.js'
import { type WorkerStream, requestStats } from '../../lib/app/worker-messages.js'
import { type ThrowawayPostgres, startThrowawayPostgres } from '../../lib/dev/throwaway-postgres.js'

/** The transport as a consumer loads it: compiled (dist/, built before the run), so a worker starts without compiling TypeScript. */
export const TRANSPORT = fileURLToPath(new URL('../../dist/transport/index.js', import.meta.url))

export function databaseUrl (): string {
  const url = process.env.DATABASE_URL
  if (!url) throw new Error('DATABASE_URL is not set: run the tests with npm test')
  return url
}

export async function connect (t: Test, url = databaseUrl()): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  t.teardown(() => client.end())
  return client
}

/** An empty database of this test's own on the shared server (its URL), dropped when the test ends. */
export async function scratchDatabase (t: Test, prefix: string): Promise<string> {
  const admin = await connect(t)
  const name = `${prefix}_${randomBytes(4).toString('hex')}`
  await admin.query(`CREATE DATABASE ${name}`)
  t.teardown(() => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))
  const url = new URL(databaseUrl())
  url.pathname = '/' + name
  return url.toString()
}

/** A schema of this test's own, migrated, dropped when the test ends. */
export async function freshTarget (t: Test, opts: { migrate?: boolean } = {}): Promise<{ target: LogTarget, client: pg.Client }> {
  const client = await connect(t)
  const target = { schema: `t_${randomBytes(5).toString('hex')}`, table: 'system_logs' }
  if (opts.migrate !== false) await migrate(client, target)
  t.teardown(async () => {
    const c = new pg.Client({ connectionString: databaseUrl() })
    await c.connect()
    await c.query(`DROP SCHEMA IF EXISTS ${quoteIdent(target.schema)} CASCADE`)
    await c.end()
  })
  return { target, client }
}

/** A pino logger writing through curator-log's transport (dist/) to the target. */
export async function transportLogger (t: Test, target: LogTarget, options: TransportOptions = {}, pinoOptions: pino.LoggerOptions = {}, url = databaseUrl()) {
  const stream = pino.transport({
    target: TRANSPORT,
    options: { connectionString: url, schema: target.schema, table: target.table, spillDir: false, ...options }
  })
  // once() gives up on 'error', not on 'close': a worker that exits before it is ready would hold the
  // test. The close waiter goes once ready (left, its 'error' listener would hide later errors).
  const ready = new AbortController()
  try {
    await Promise.race([once(stream, 'ready'), once(stream, 'close', { signal: ready.signal }).then(() => { throw new Error('the transport\'s worker exited before it was ready') })])
  } finally {
    ready.abort()
  }
  ;(stream as unknown as { ref (): void }).ref()
  const logger = pino(pinoOptions, stream)
  return { logger, stream, end: () => endStream(stream) }
}

/** Ends a transport stream and waits until its worker has closed. */
export async function endStream (stream: { end (): void, once (e: string, f: () => void): unknown, closed?: boolean, destroyed?: boolean }): Promise<void> {
  // thread-stream's end() does nothing once its worker is gone, and 'close' has been emitted already.
  if (stream.closed === true || stream.destroyed === true) throw new Error('the transport\'s worker had exited before end()')
  const closed = new Promise<void>(resolve => stream.once('close', resolve))
  stream.end()
  await closed
}

export async function rows<T = Record<string, unknown>> (client: pg.Client, target: LogTarget, order = 'id'): Promise<T[]> {
  const r = await client.query(`SELECT * FROM ${qualifiedTable(target)} ORDER BY ${order}`)
  return r.rows as T[]
}

export async function count (client: pg.Client, target: LogTarget): Promise<number> {
  const r = await client.query(`SELECT count(*)::int AS n FROM ${qualifiedTable(target)}`)
  return r.rows[0].n
}

/** The transport's counters, asked of the worker; rejects (WORKER_UNAVAILABLE) once the worker has exited, instead of waiting forever. */
export function transportStats (stream: unknown): Promise<TransportStats> {
  return requestStats(stream as WorkerStream)
}

/**
 * pino's flush: thread-stream hands the worker every byte written so far, then calls the
 * transport's flush, which resolves once those lines are committed or spilled. Resolves with the
 * counters after.
 */
export async function flushTransport (stream: unknown, ms = 240_000): Promise<TransportStats> {
  const s = stream as { flush (cb: (err?: Error) => void): void, once (e: 'close', f: () => void): unknown, off (e: 'close', f: () => void): unknown }
  let timer: NodeJS.Timeout | undefined
  try {
    await new Promise<void>((resolve, reject) => {
      // thread-stream waits for the worker to read what was written, with no end: a worker gone
      // meanwhile would hold the test forever.
      const gone = (): void => reject(new Error('the transport\'s worker exited during flush'))
      s.once('close', gone)
      // A flush that never settles (seen once in a loaded full run) fails with what the worker says
      // of its queue, instead of holding the file until tap's timeout with nothing to go on.
      timer = setTimeout(() => {
        s.off('close', gone)
        transportStats(stream).then(
          stats => reject(new Error(`flush did not settle in ${ms} ms; the worker answers: ${JSON.stringify(stats)}`)),
          (err: Error) => reject(new Error(`flush did not settle in ${ms} ms; the worker does not answer (${err.message})`)))
      }, ms)
      s.flush(err => {
        s.off('close', gone)
        if (err) reject(err)
        else resolve()
      })
    })
  } finally {
    clearTimeout(timer)
  }
  return transportStats(stream)
}

/** Polls until `check` holds, failing after `ms`. */
export async function waitFor (what: string, check: () => Promise<boolean> | boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

/** A PostgreSQL server of this test's own (to stop, restart or start late), removed at the end. */
export async function ownServer (t: Test, port?: number, copyOf?: string): Promise<ThrowawayPostgres> {
  const server = await startThrowawayPostgres({ port, copyOf, postgresFlags: ['-c', 'fsync=off'] })
  t.teardown(() => server.destroy())
  return server
}

/** Every seq in the table: asserts none is missing and none appears twice. */
export async function assertSeqs (t: Test, client: pg.Client, target: LogTarget, expected: number[]): Promise<void> {
  const r = await client.query(`SELECT (context->>'seq')::int AS seq FROM ${qualifiedTable(target)}`)
  const seen = new Map<number, number>()
  for (const { seq } of r.rows) seen.set(seq, (seen.get(seq) ?? 0) + 1)
  const missing = expected.filter(s => !seen.has(s))
  const duplicated = [...seen].filter(([, n]) => n > 1).map(([s]) => s)
  const wanted = new Set(expected)
  const unexpected = [...seen.keys()].filter(s => !wanted.has(s))
  t.same({ rows: r.rowCount, missing: missing.length, duplicated: duplicated.length, unexpected: unexpected.length },
    { rows: expected.length, missing: 0, duplicated: 0, unexpected: 0 }, 'every line exactly once', { missing: missing.slice(0, 10), duplicated: duplicated.slice(0, 10) })
}

export function range (n: number, from = 0): number[] {
  return Array.from({ length: n }, (_, i) => from + i)
}
