import { AsyncLocalStorage } from 'node:async_hooks'
import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { type RequestListener, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import pino from 'pino'
import { pinoHttp } from 'pino-http'
import { createLogger } from '../lib/app/create-logger.js'
import { requestContext, timingHeader } from '../lib/app/http/request-context.js'
import { type Result, processCpuMs } from './harness.js'
import { COUNTING } from './hot-path.js'

/** Requests per second that autocannon gets from `url` after half a second of warm-up. */
async function load (url: string, seconds: number): Promise<number> {
  await autocannon({ url, connections: 10, duration: 0.5 })
  return (await autocannon({ url, connections: 10, duration: seconds })).requests.average
}

async function listen (handler: RequestListener): Promise<{ url: string, close: () => void }> {
  const server = createServer(handler)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/orders/7?x=1`, close: () => server.close() }
}

const reply: RequestListener = (_req, res) => {
  res.setHeader('content-type', 'application/json')
  res.end('{"ok":true}')
}

/**
 * pino-http given what the design asks of requestContext besides logging, to show what those features
 * cost on their own: a random UUID request id, an AsyncLocalStorage scope around the handler, and the
 * X-Request-ID and X-Processing-Time response headers.
 */
function withFeatures (handler: RequestListener): RequestListener {
  const als = new AsyncLocalStorage<{ request_id: string }>()
  return (req, res) => {
    const start = performance.now()
    const id = randomUUID()
    res.setHeader('x-request-id', id)
    timingHeader(res, start)
    als.run({ request_id: id }, () => handler(req, res))
  }
}

type Variant = 'none' | 'pino-http' | 'pino-http-features' | 'curator-log'
const VARIANTS: Variant[] = ['none', 'pino-http', 'pino-http-features', 'curator-log']

/** The app of one variant; the loggers write to a worker that only counts. */
function handlerFor (variant: Variant): RequestListener {
  if (variant === 'none') return reply
  if (variant === 'curator-log') {
    const logger = createLogger({ console: false, handleSignals: false, handleExceptions: false, transportTarget: COUNTING, database: { connectionString: 'postgres://unused' }, env: {} })
    const mw = requestContext({ logger })
    return (req, res) => mw(req, res, () => reply(req, res))
  }
  const httpLogger = pinoHttp({ logger: pino(pino.transport({ target: COUNTING })) })
  const logged: RequestListener = (req, res) => { httpLogger(req, res); reply(req, res) }
  return variant === 'pino-http' ? logged : withFeatures(logged)
}

/** Starts a process that serves one variant; `sameProcess` makes it load itself and exit. */
function child (variant: Variant, sameProcess?: number): ReturnType<typeof spawn> {
  const args = [...process.execArgv, fileURLToPath(import.meta.url), variant, ...(sameProcess ? [String(sameProcess)] : [])]
  return spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] })
}

async function ended (proc: ReturnType<typeof spawn>): Promise<void> {
  if (proc.exitCode === null && proc.signalCode === null) await once(proc, 'exit')
}

async function firstLine (proc: ReturnType<typeof spawn>, variant: Variant): Promise<string> {
  let out = ''
  for await (const chunk of proc.stdout!) {
    out += chunk
    if (out.includes('\n')) return out.trim()
  }
  throw new Error(`http bench: the ${variant} server ended without answering (exit ${proc.exitCode})`)
}

/** Requests per second of one variant served by a fresh process, loaded by autocannon from this one. */
async function rpsApart (variant: Variant, seconds: number): Promise<number> {
  const server = child(variant)
  try {
    return await load(await firstLine(server, variant), seconds)
  } finally {
    server.kill()
    await ended(server)
  }
}

/** Requests per second of one variant with autocannon inside the server's process (a fresh one). */
async function rpsTogether (variant: Variant, seconds: number): Promise<number> {
  const proc = child(variant, seconds)
  const value = Number(await firstLine(proc, variant))
  // Gone before the next measurement starts.
  await ended(proc)
  if (!(value > 0)) throw new Error(`http bench: ${variant} measured ${value}`)
  return value
}

/** Requests per second each server gets in the CPU measurement: well below saturation for all four at once. */
const CPU_RATE = 2500

/**
 * Server CPU per request of every variant, measured at once: the four servers run side by side and
 * autocannon sends each the same fixed rate, so that all see the same machine at the same moments.
 * Measured apart and saturated, as the req/s rows are, a variant's CPU per request moves with the
 * machine's state (±15% from round to round on this shared machine) and with its own req/s.
 */
async function cpuTogether (seconds: number): Promise<number[]> {
  const servers = VARIANTS.map(variant => child(variant))
  try {
    const urls = await Promise.all(servers.map((server, k) => firstLine(server, VARIANTS[k])))
    // Warm-up, saturated: every server's code is compiled before it is measured.
    await Promise.all(urls.map(url => autocannon({ url, connections: 10, duration: 0.5 })))
    const before = servers.map(server => processCpuMs(server.pid!))
    const runs = await Promise.all(urls.map(url => autocannon({ url, connections: 10, duration: seconds, overallRate: CPU_RATE })))
    return servers.map((server, k) => (processCpuMs(server.pid!) - before[k]) * 1000 / runs[k].requests.total)
  } finally {
    for (const server of servers) server.kill()
    await Promise.all(servers.map(ended))
  }
}

/**
 * Requests per second of one node:http app: no logging, pino-http (plain, and with the features above),
 * curator-log's middleware. Each variant is served by a fresh process and loaded by autocannon from
 * this one, as a server is benchmarked: a fresh process, because once any AsyncLocalStorage has run
 * Node 20 keeps async hooks on for every later socket and promise in that process, so variants sharing
 * one would pay for each other's scopes; another process for the client, so that its own work is not
 * counted as the server's. Two rows put autocannon inside the server's process, as this benchmark
 * did first: there the client's sockets and promises pay curator-log's async hooks too, and
 * its JavaScript parser reads the two extra headers. Five rounds with the variants interleaved, best of
 * each, so that a noisy neighbour on a shared machine does not decide. Each round also measures the
 * servers' CPU per request side by side (see cpuTogether); the CPU target is judged on the median of the
 * rounds' ratios.
 */
export async function httpScenario (seconds: number): Promise<Result[]> {
  const best = VARIANTS.map(() => 0)
  const cpu = VARIANTS.map(() => Infinity)
  // curator-log's CPU per request over pino-http-with-features', from the same round.
  const paired: number[] = []
  const together = [0, 0]
  const linux = process.platform === 'linux'
  for (let round = 0; round < 5; round++) {
    for (const [k, variant] of VARIANTS.entries()) best[k] = Math.max(best[k], await rpsApart(variant, seconds))
    for (const [k, variant] of (['pino-http', 'curator-log'] as const).entries()) together[k] = Math.max(together[k], await rpsTogether(variant, seconds))
    if (!linux) continue
    const roundCpu = await cpuTogether(seconds)
    for (const k of VARIANTS.keys()) cpu[k] = Math.min(cpu[k], roundCpu[k])
    paired.push(roundCpu[3] / roundCpu[2])
  }
  const [none, withPinoHttp, pinoHttpFeatured, withCurator] = best
  const [pinoHttpTogether, curatorTogether] = together
  const results: Result[] = [
    { scenario: 'http', variant: 'node:http, no logging', value: none, unit: 'req/s' },
    { scenario: 'http', variant: 'node:http + pino-http', value: withPinoHttp, unit: 'req/s', ratio: { to: 'no logging', value: withPinoHttp / none } },
    { scenario: 'http', variant: 'node:http + pino-http + what requestContext adds by design (UUID request id, AsyncLocalStorage scope, X-Request-ID and X-Processing-Time)', value: pinoHttpFeatured, unit: 'req/s', ratio: { to: 'pino-http', value: pinoHttpFeatured / withPinoHttp } },
    { scenario: 'http', variant: 'node:http + curator-log requestContext', value: withCurator, unit: 'req/s', ratio: { to: 'pino-http', value: withCurator / withPinoHttp }, target: '>= 0.9x pino-http', pass: withCurator / withPinoHttp >= 0.9 },
    { scenario: 'http', variant: 'node:http + pino-http, autocannon in the server\'s process', value: pinoHttpTogether, unit: 'req/s' },
    { scenario: 'http', variant: 'node:http + curator-log requestContext, autocannon in the server\'s process', value: curatorTogether, unit: 'req/s', ratio: { to: 'pino-http so measured', value: curatorTogether / pinoHttpTogether } }
  ]
  // Read from /proc: what each server spent, all its threads, per request.
  if (linux) {
    for (const [k, variant] of VARIANTS.entries()) {
      const row: Result = { scenario: 'http', variant: `server CPU per request (all threads) at ${CPU_RATE} req/s, the four side by side, best round: ${variant}`, value: cpu[k], unit: 'µs' }
      if (k !== 1) row.ratio = { to: 'pino-http', value: cpu[k] / cpu[1] }
      results.push(row)
    }
    const ratio = medianOf(paired)
    results.push({
      scenario: 'http',
      variant: 'server CPU per request, curator-log against pino-http given the same features (median of the rounds\' ratios)',
      value: ratio,
      unit: 'x',
      target: '<= 1x',
      pass: ratio <= 1,
      note: `ratio by round: ${paired.map(r => r.toFixed(3)).join(', ')}; of the best of each: ${(cpu[3] / cpu[2]).toFixed(3)}`
    })
  }
  return results
}

function medianOf (values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const variant = process.argv[2] as Variant
  if (!VARIANTS.includes(variant)) throw new Error(`http bench: unknown variant ${variant}`)
  const server = await listen(handlerFor(variant))
  if (process.argv[3] === undefined) {
    // Serves until the benchmark kills it.
    process.stdout.write(server.url + '\n')
  } else {
    process.stdout.write(`${await load(server.url, Number(process.argv[3]))}\n`)
    // The loggers' workers only count lines: nothing is left to write.
    process.exit(0)
  }
}
