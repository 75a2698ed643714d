import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import pino from 'pino'
import type { Test } from 'tap'
import { type LogTarget, qualifiedTable, quoteIdent } from '../../lib/identifiers.js'
import { migrate } from '../../lib/migrate.js'
import type { TransportOptions } from '../../transport/options.js'

export const TRANSPORT = fileURLToPath(new URL('./ts-transport.mjs', import.meta.url))

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

/** A pino logger writing through curator-log's transport (from source) to the target. */
export async function transportLogger (t: Test, target: LogTarget, options: TransportOptions = {}, pinoOptions: pino.LoggerOptions = {}) {
  const stream = pino.transport({
    target: TRANSPORT,
    options: { connectionString: databaseUrl(), schema: target.schema, table: target.table, spillDir: false, ...options }
  })
  await once(stream, 'ready')
  ;(stream as unknown as { ref (): void }).ref()
  const logger = pino(pinoOptions, stream)
  return { logger, stream, end: () => endStream(stream) }
}

/** Ends a transport stream and waits until its worker has closed. */
export async function endStream (stream: { end (): void, once (e: string, f: () => void): unknown }): Promise<void> {
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
