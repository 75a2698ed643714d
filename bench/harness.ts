import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import pino from 'pino'
import { migrate } from '../lib/database/migrate.js'
import { quoteIdent, type LogTarget } from '../lib/core/identifiers.js'
import type { TransportOptions } from '../lib/core/transport-options.js'

export const ROOT = fileURLToPath(new URL('..', import.meta.url))
export const TRANSPORT = join(ROOT, 'dist', 'transport', 'index.js')

/** One measured figure of the results table. */
export interface Result {
  scenario: string
  variant: string
  value: number
  unit: string
  /** The figure this one is compared with, and the ratio (value / baseline, or baseline / value where lower is better). */
  ratio?: { to: string, value: number }
  target?: string
  pass?: boolean
  note?: string
}

export async function client (url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url })
  await c.connect()
  return c
}

let n = 0
/** A fresh schema with the migrated table. */
export async function freshTarget (c: pg.Client): Promise<LogTarget> {
  const target = { schema: `bench_${process.pid}_${++n}`, table: 'system_logs' }
  await c.query(`DROP SCHEMA IF EXISTS ${quoteIdent(target.schema)} CASCADE`)
  await migrate(c, target)
  return target
}

export async function dropTarget (c: pg.Client, target: LogTarget): Promise<void> {
  await c.query(`DROP SCHEMA IF EXISTS ${quoteIdent(target.schema)} CASCADE`)
}

/** A pino logger on curator-log's built transport; `end()` closes it (within its closeTimeoutMs, spilling the rest). */
export async function transportLogger (url: string, target: LogTarget, options: TransportOptions = {}) {
  const stream = pino.transport({ target: TRANSPORT, options: { connectionString: url, schema: target.schema, table: target.table, spillDir: false, maxQueueBytes: 1 << 30, ...options } })
  await once(stream, 'ready')
  const logger = pino({ name: 'bench' }, stream)
  return {
    logger,
    stream,
    /** pino's flush: resolves once every line is committed (never, while the database is down). */
    flush: () => new Promise<void>((resolve, reject) => stream.flush(err => err ? reject(err) : resolve())),
    end: async () => {
      const closed = once(stream, 'close')
      stream.end()
      await closed
    }
  }
}

export const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

/** CPU time (ms, all threads) a process on this machine has used, from /proc (clock ticks of 10 ms). */
export function processCpuMs (pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10
}
