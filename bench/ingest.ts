import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { from as copyFrom } from 'pg-copy-streams'
import { Sanitizer } from '../lib/sanitizer/sanitizer.js'
import type pg from 'pg'
import { type LogTarget, qualifiedTable, quoteIdent } from '../lib/core/identifiers.js'
import { COLUMNS } from '../lib/core/columns.js'
import { encodeRow } from '../transport/copy-text.js'
import { copyStatement } from '../lib/database/copy-writer.js'
import { LevelNames } from '../lib/core/levels.js'
import { createRowMapper, type RowValues } from '../transport/record-to-row.js'
import { type Result, client, dropTarget, freshTarget, transportLogger } from './harness.js'
import { MESSAGE, record } from './records.js'

/** The rows curator-log would load for `n` records, as values and as COPY text. */
export function prebuilt (n: number): { values: RowValues[], copyText: string[] } {
  const map = createRowMapper({ sanitizer: new Sanitizer(), levels: new LevelNames(), messageKey: 'msg', errorKey: 'err', maxMessageLength: 65536, window: () => ({ from: 0, to: 8.64e15 }) })
  // Times run forward from now: migrate makes this month's partition and those ahead, not last month's,
  // so rows dated back from now failed the raw COPY in the first minutes of a month.
  const now = Date.now()
  const values: RowValues[] = []
  for (let i = 0; i < n; i++) values.push(map({ level: i % 50 === 0 ? 50 : i % 10 === 0 ? 40 : 30, time: now + i * 10, pid: 1, hostname: 'bench', name: i % 4 === 0 ? 'payments' : 'api', ...record(i), msg: MESSAGE }, now))
  return { values, copyText: values.map(encodeRow) }
}

const COLS = COLUMNS.map(quoteIdent).join(', ')

async function timed (fn: () => Promise<void>): Promise<number> {
  const t0 = performance.now()
  await fn()
  return performance.now() - t0
}

export async function singleInserts (url: string, values: RowValues[]): Promise<number> {
  const c = await client(url)
  const target = await freshTarget(c)
  const sql = `INSERT INTO ${qualifiedTable(target)} (${COLS}) VALUES (${COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`
  const ms = await timed(async () => { for (const v of values) await c.query(sql, v) })
  await dropTarget(c, target)
  await c.end()
  return values.length / ms * 1000
}

export async function multiRowInserts (url: string, values: RowValues[], per = 500): Promise<number> {
  const c = await client(url)
  const target = await freshTarget(c)
  const ms = await timed(async () => {
    for (let i = 0; i < values.length; i += per) {
      const chunk = values.slice(i, i + per)
      const params = chunk.flat()
      const tuples = chunk.map((_, r) => `(${COLUMNS.map((__, k) => `$${r * COLUMNS.length + k + 1}`).join(', ')})`).join(', ')
      await c.query(`INSERT INTO ${qualifiedTable(target)} (${COLS}) VALUES ${tuples}`, params)
    }
  })
  await dropTarget(c, target)
  await c.end()
  return values.length / ms * 1000
}

/** COPY text in chunks of 1000 rows, ready to stream. */
export function copyChunks (copyText: string[]): Buffer[] {
  const chunks: Buffer[] = []
  for (let i = 0; i < copyText.length; i += 1000) chunks.push(Buffer.from(copyText.slice(i, i + 1000).join('\n') + '\n'))
  return chunks
}

/** Loads COPY text chunks into the target with one COPY statement. */
export async function loadChunks (c: pg.Client, target: LogTarget, chunks: Buffer[]): Promise<void> {
  await pipeline(Readable.from(chunks), c.query(copyFrom(copyStatement(target))))
}

/** One COPY of text built beforehand: what the table itself can take. */
export async function rawCopy (url: string, copyText: string[], prepare?: (c: pg.Client, target: LogTarget) => Promise<void>): Promise<number> {
  const c = await client(url)
  const target = await freshTarget(c)
  await prepare?.(c, target)
  const chunks = copyChunks(copyText)
  const ms = await timed(() => loadChunks(c, target, chunks))
  await dropTarget(c, target)
  await c.end()
  return copyText.length / ms * 1000
}

/**
 * pino → worker → PostgreSQL, from the first log call to the last commit. The app turns its event loop
 * every `yieldEvery` lines, as a server does between requests (0: one synchronous burst, in which
 * thread-stream keeps every line on the app thread until the burst ends, so nothing overlaps).
 */
export async function endToEnd (url: string, n: number, options: Record<string, unknown> = {}, yieldEvery = 1000): Promise<number> {
  const c = await client(url)
  const target = await freshTarget(c)
  const { logger, flush, end } = await transportLogger(url, target, options)
  const ms = await timed(async () => {
    for (let i = 0; i < n; i++) {
      logger.info(record(i), MESSAGE)
      if (yieldEvery > 0 && i % yieldEvery === yieldEvery - 1) await new Promise(resolve => setImmediate(resolve))
    }
    // Flushed, then closed: the close's deadline spills what is not committed by then, and spilling
    // is off here, so a loaded machine would lose rows and fail the run.
    await flush()
    await end()
  })
  const { rows } = await c.query(`SELECT count(*)::int AS n FROM ${qualifiedTable(target)}`)
  if (rows[0].n !== n) throw new Error(`curator-log end to end: ${rows[0].n} of ${n} rows landed`)
  await dropTarget(c, target)
  await c.end()
  return n / ms * 1000
}

export async function ingestScenario (url: string, n: number): Promise<Result[]> {
  const { values, copyText } = prebuilt(n)
  const singleN = Math.min(n, 20_000)
  // The ceiling and the headline figure: best of two runs each, interleaved, so that one noisy run on a
  // shared machine does not decide the ratio.
  let copy = 0
  let e2e = 0
  for (let i = 0; i < 2; i++) {
    copy = Math.max(copy, await rawCopy(url, copyText))
    e2e = Math.max(e2e, await endToEnd(url, n))
  }
  const single = await singleInserts(url, values.slice(0, singleN))
  const multi = await multiRowInserts(url, values)
  const burst = await endToEnd(url, n, {}, 0)
  const results: Result[] = [
    { scenario: 'ingest', variant: 'raw COPY of pre-built text (ceiling)', value: copy, unit: 'rows/s' },
    { scenario: 'ingest', variant: `one INSERT per line (${singleN} rows)`, value: single, unit: 'rows/s', ratio: { to: 'ceiling', value: single / copy } },
    { scenario: 'ingest', variant: 'multi-row INSERT of 500', value: multi, unit: 'rows/s', ratio: { to: 'ceiling', value: multi / copy } },
    { scenario: 'ingest', variant: 'curator-log end to end (defaults: 2 COPY connections, batches of 5000; the app yields every 1000 lines)', value: e2e, unit: 'rows/s', ratio: { to: 'ceiling', value: e2e / copy }, target: '>= 0.9x ceiling', pass: e2e / copy >= 0.9 },
    { scenario: 'ingest', variant: 'curator-log end to end, all lines in one synchronous burst', value: burst, unit: 'rows/s', ratio: { to: 'ceiling', value: burst / copy } },
    { scenario: 'ingest', variant: 'curator-log vs one INSERT per line', value: e2e / single, unit: 'x', target: '>= 10x', pass: e2e / single >= 10 }
  ]
  for (const batchRows of [500, 5000]) {
    const r = await endToEnd(url, n, { batchRows, batchBytes: 8 << 20 })
    results.push({ scenario: 'ingest', variant: `curator-log, batchRows ${batchRows}`, value: r, unit: 'rows/s', ratio: { to: 'ceiling', value: r / copy } })
  }
  const one = await endToEnd(url, n, { copyConnections: 1 })
  results.push({ scenario: 'ingest', variant: 'curator-log, one COPY connection', value: one, unit: 'rows/s', ratio: { to: 'ceiling', value: one / copy } })
  const async = url + (url.includes('?') ? '&' : '?') + 'options=' + encodeURIComponent('-c synchronous_commit=off')
  const r = await endToEnd(async, n)
  results.push({ scenario: 'ingest', variant: 'curator-log, synchronous_commit=off', value: r, unit: 'rows/s', ratio: { to: 'ceiling', value: r / copy } })
  return results
}
