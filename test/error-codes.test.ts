// Every entry point checks its options with lib/core/validate.ts: each bad value below must throw the
// documented code, naming the option, the value and what is accepted, and the CLI must print a coded
// error as one line.
import { once } from 'node:events'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import Fastify from 'fastify'
import pino from 'pino'
import t, { type Test } from 'tap'
import {
  ERROR_CODES, type ErrorCode, OptionError, PerformanceMonitor, RateLimiter, Sanitizer, createLogger,
  isCuratorLogError, logTarget, requestContext, timedOperation
} from '../lib/index.js'
import { databaseError } from '../lib/cli/errors.js'
import { CuratorLogError, CuratorLogTypeError, ConnectionStringError, UnknownLevelError } from '../lib/core/errors.js'
import curatorLogFastify from '../lib/app/http/fastify.js'
import { compileTrust } from '../lib/app/http/request-info.js'
import { connectionConfig } from '../lib/core/connection.js'
import { requestStats } from '../lib/app/worker-messages.js'
import curatorLogTransport from '../transport/index.js'
import { resolveOptions } from '../lib/core/transport-options.js'
import { bin, cli } from './support/cli.js'
import { consumerDir, runFixture } from './support/consumer.js'

t.setTimeout(300_000)

const C = ERROR_CODES
const DB = 'postgres://nobody@127.0.0.1:1/none'
// createLogger throws before it starts a worker or opens a connection, so no server is needed: DB
// only gives the logger an output (with none, that would be the error).
const logger = (o: Parameters<typeof createLogger>[0]): unknown => createLogger({ console: false, handleSignals: false, handleExceptions: false, env: { DATABASE_URL: DB }, ...o })
const workers = (): number => process.getActiveResourcesInfo().filter(r => r === 'MessagePort' || r === 'Worker').length

type Case = [entry: string, run: () => unknown, code: ErrorCode, message: RegExp, option?: string]

const SYNC: Case[] = [
  // The transport's options, checked in the app by resolveOptions.
  ['resolveOptions', () => resolveOptions({ batchRows: 0 }), C.OPTION_RANGE, /^curator-log: batchRows must be a positive integer, got 0$/, 'batchRows'],
  ['resolveOptions', () => resolveOptions({ batchRows: '10' as never }), C.OPTION_TYPE, /^curator-log: batchRows must be a positive integer, got "10"$/, 'batchRows'],
  ['resolveOptions', () => resolveOptions({ batchBytes: 1.5 }), C.OPTION_RANGE, /^curator-log: batchBytes must be an integer >= 1024, got 1.5$/, 'batchBytes'],
  ['resolveOptions', () => resolveOptions({ copyConnections: 5 }), C.OPTION_RANGE, /^curator-log: copyConnections must be an integer from 1 to 4, got 5$/, 'copyConnections'],
  ['resolveOptions', () => resolveOptions({ closeTimeoutMs: 7001 }), C.OPTION_RANGE, /^curator-log: closeTimeoutMs must be an integer from 0 to 7000, got 7001$/, 'closeTimeoutMs'],
  ['resolveOptions', () => resolveOptions({ retryMaxMs: 50 }), C.OPTION_RANGE, /^curator-log: retryMaxMs must be an integer >= 100, got 50$/, 'retryMaxMs'],
  ['resolveOptions', () => resolveOptions({ timeUnit: 'h' as 's' }), C.OPTION_VALUE, /^curator-log: timeUnit must be ms or s, got "h"$/, 'timeUnit'],
  ['resolveOptions', () => resolveOptions({ maintenance: 'yes' as never }), C.OPTION_TYPE, /^curator-log: maintenance must be true or false, got "yes"$/, 'maintenance'],
  ['resolveOptions', () => resolveOptions({ appName: 'my app' }), C.OPTION_VALUE, /^curator-log: appName must be letters, digits, _, \. and - only, got "my app"$/, 'appName'],
  ['resolveOptions', () => resolveOptions({ messageKey: '' }), C.OPTION_TYPE, /^curator-log: messageKey must be a non-empty string, got ""$/, 'messageKey'],
  ['resolveOptions', () => resolveOptions({ spillDir: '' }), C.OPTION_TYPE, /^curator-log: spillDir must be a directory path or false, got ""$/, 'spillDir'],
  ['resolveOptions', () => resolveOptions({ levels: 7 as never }), C.OPTION_TYPE, /^curator-log: levels must be an object of level name to number, got 7$/, 'levels'],
  ['resolveOptions', () => resolveOptions({ database: false }), C.OPTION_CONFLICT, /^curator-log: database: false needs a console output$/, 'database'],
  ['resolveOptions', () => resolveOptions({ schema: 'Logs' }), C.OPTION_VALUE, /^curator-log: schema must be a lower-case SQL identifier \(letters, digits, _; at most 63 characters\), got "Logs"$/, 'schema'],
  ['resolveOptions', () => resolveOptions({ connectionString: 5 as never }), C.OPTION_TYPE, /^curator-log: connectionString must be a string, got number$/, 'connectionString'],
  ['logTarget', () => logTarget('public', 42), C.OPTION_TYPE, /^curator-log: table must be a lower-case SQL identifier .*, got 42$/, 'table'],
  ['connectionConfig', () => connectionConfig('host=a port=x5 secret'), C.BAD_CONNECTION_STRING, /^curator-log: the connection string is not valid: use postgres:\/\//],
  // createLogger: the same faults, named from its own options.
  ['createLogger', () => logger({ database: { connectionString: DB, batchRows: 0 } }), C.OPTION_RANGE, /^curator-log: database\.batchRows must be a positive integer, got 0$/, 'database.batchRows'],
  ['createLogger', () => logger({ database: { connectionString: DB, closeTimeoutMs: 12_000 } }), C.OPTION_RANGE, /^curator-log: database\.closeTimeoutMs must be an integer from 0 to 7000, got 12000$/, 'database.closeTimeoutMs'],
  ['createLogger', () => logger({ database: { connectionString: DB, table: 'Logs' } }), C.OPTION_VALUE, /^curator-log: database\.table must be a lower-case SQL identifier/, 'database.table'],
  ['createLogger', () => logger({ database: { connectionString: DB, level: 'audit' } }), C.UNKNOWN_LEVEL, /^curator-log: database\.level "audit" is not a level of this logger; known: trace, debug, info, warn, error, fatal$/, 'database.level'],
  ['createLogger', () => logger({ level: 'loud' }), C.UNKNOWN_LEVEL, /^curator-log: level "loud" is not a level of this logger/, 'level'],
  // A level from the environment is named by its variable, which is where the user must fix it.
  ['createLogger', () => logger({ env: { LOG_LEVEL: 'warning', DATABASE_URL: DB } }), C.UNKNOWN_LEVEL, /^curator-log: LOG_LEVEL "warning" is not a level of this logger/, 'LOG_LEVEL'],
  ['createLogger', () => logger({ env: { LOG_DATABASE_LEVEL: 'warning', DATABASE_URL: DB } }), C.UNKNOWN_LEVEL, /^curator-log: LOG_DATABASE_LEVEL "warning" is not a level/, 'LOG_DATABASE_LEVEL'],
  ['createLogger', () => logger({ console: {}, env: { LOG_CONSOLE_LEVEL: 'warning' } }), C.UNKNOWN_LEVEL, /^curator-log: LOG_CONSOLE_LEVEL "warning" is not a level/, 'LOG_CONSOLE_LEVEL'],
  ['createLogger', () => logger({ database: { connectionString: DB, sanitize: { maxDepth: 0 } } }), C.OPTION_RANGE, /^curator-log: database\.sanitize\.maxDepth must be a positive integer, got 0$/, 'database.sanitize.maxDepth'],
  ['createLogger', () => logger({ database: { connectionString: DB, sanitize: { patterns: ['ok', 'a(?=b)'] } } }), C.BAD_PATTERN, /^curator-log: database\.sanitize\.patterns\[1\] is not a valid regular expression for the linear-time engine/, 'database.sanitize.patterns[1]'],
  ['createLogger', () => logger({ console: {}, env: { LOG_PRETTY: 'maybe' } }), C.OPTION_VALUE, /^curator-log: LOG_PRETTY must be true or false, got "maybe"$/, 'LOG_PRETTY'],
  ['createLogger', () => logger({ rateLimit: { mode: 'sometimes' as 'global' } }), C.OPTION_VALUE, /^curator-log: rateLimit\.mode must be per-key, per-logger or global, got "sometimes"$/, 'rateLimit.mode'],
  ['createLogger', () => logger({ console: {}, database: { connectionString: DB, level: 'error' }, pino: { levelComparison: 'DESC' } }), C.OPTION_CONFLICT, /^curator-log: pino\.levelComparison other than 'ASC' needs the console and the database at the logger's level/, 'pino.levelComparison'],
  ['createLogger', () => logger({ pino: { timestamp: () => ',"time":"yesterday"' } }), C.OPTION_VALUE, /^curator-log: pino\.timestamp: cannot read the time it writes/, 'pino.timestamp'],
  ['createLogger', () => logger({ pino: { timestamp: () => 'time=1' } }), C.OPTION_VALUE, /^curator-log: pino\.timestamp must return ',"key":value' or '', got "time=1"$/, 'pino.timestamp'],
  // A misspelt name, or a value of the wrong type, that would otherwise do nothing (or something else).
  ['createLogger', () => logger({ levl: 'debug' } as never), C.OPTION_UNKNOWN, /^curator-log: levl is not an option \(did you mean level\? known: name, level, console, /, 'levl'],
  ['createLogger', () => logger({ connectionString: DB } as never), C.OPTION_UNKNOWN, /^curator-log: connectionString is not an option \(known: name, level, console, database, /, 'connectionString'],
  ['createLogger', () => logger({ database: { connectionString: DB, batchRow: 5 } as never }), C.OPTION_UNKNOWN, /^curator-log: database\.batchRow is not an option \(did you mean batchRows\? /, 'database.batchRow'],
  ['createLogger', () => logger({ database: { connectionString: DB, sanitize: { maxDeph: 3 } as never } }), C.OPTION_UNKNOWN, /^curator-log: database\.sanitize\.maxDeph is not an option of sanitize \(did you mean maxDepth\? /, 'database.sanitize.maxDeph'],
  ['createLogger', () => logger({ database: { connectionString: DB, console: { colourize: true } as never } }), C.OPTION_UNKNOWN, /^curator-log: database\.console\.colourize is not an option of console \(did you mean colorize\? /, 'database.console.colourize'],
  ['createLogger', () => logger({ rateLimit: { maxPerSec: 5 } as never }), C.OPTION_UNKNOWN, /^curator-log: rateLimit\.maxPerSec is not an option of rateLimit \(did you mean maxPerSecond\? /, 'rateLimit.maxPerSec'],
  ['createLogger', () => logger({ console: { prety: true } as never }), C.OPTION_UNKNOWN, /^curator-log: console\.prety is not an option of console \(did you mean pretty\? known: level, pretty\)$/, 'console.prety'],
  ['createLogger', () => logger({ database: DB as never }), C.OPTION_TYPE, /^curator-log: database must be an object or false, got "postgres:\/\/nobody@127\.0\.0\.1:1\/none"$/, 'database'],
  ['createLogger', () => logger({ console: 'false' as never }), C.OPTION_TYPE, /^curator-log: console must be an object or false, got "false"$/, 'console'],
  ['createLogger', () => logger({ rateLimit: 'off' as never }), C.OPTION_TYPE, /^curator-log: rateLimit must be an object or false, got "off"$/, 'rateLimit'],
  ['createLogger', () => logger({ handleSignals: 'no' as never }), C.OPTION_TYPE, /^curator-log: handleSignals must be true or false, got "no"$/, 'handleSignals'],
  ['createLogger', () => logger({ handleExceptions: 0 as never }), C.OPTION_TYPE, /^curator-log: handleExceptions must be true or false, got 0$/, 'handleExceptions'],
  ['createLogger', () => logger({ name: 42 as never }), C.OPTION_TYPE, /^curator-log: name must be a string, got 42$/, 'name'],
  ['createLogger', () => logger({ console: { pretty: 'yes' as never } }), C.OPTION_TYPE, /^curator-log: console\.pretty must be true or false, got "yes"$/, 'console.pretty'],
  ['createLogger', () => logger({ rateLimit: { limitErrors: 1 as never } }), C.OPTION_TYPE, /^curator-log: rateLimit\.limitErrors must be true or false, got 1$/, 'rateLimit.limitErrors'],
  ['createLogger', () => logger({ pino: { level: 'verbose' } }), C.OPTION_CONFLICT, /^curator-log: pino\.level: the logger's level is createLogger's own level option \(or LOG_LEVEL\); set it there$/, 'pino.level'],
  ['createLogger', () => logger({ console: false, database: false }), C.OPTION_CONFLICT, /^curator-log: database: false needs a console output \(console is false too: the logger would write nowhere\)$/, 'database'],
  ['resolveOptions', () => resolveOptions({ batchRow: 5 } as never), C.OPTION_UNKNOWN, /^curator-log: batchRow is not an option \(did you mean batchRows\? known: connectionString, /, 'batchRow'],
  ['Sanitizer', () => new Sanitizer({ maxDeph: 3 } as never), C.OPTION_UNKNOWN, /^curator-log: sanitize\.maxDeph is not an option of sanitize \(did you mean maxDepth\? /, 'sanitize.maxDeph'],
  ['requestContext', () => requestContext({ logger: pino({ enabled: false }), trustPrxy: 1 } as never), C.OPTION_UNKNOWN, /^curator-log: trustPrxy is not an option \(did you mean trustProxy\? /, 'trustPrxy'],
  // The parts createLogger uses, on their own.
  ['RateLimiter', () => new RateLimiter({ maxPerSecond: 0 }), C.OPTION_RANGE, /^curator-log: rateLimit\.maxPerSecond must be a positive number, got 0$/, 'rateLimit.maxPerSecond'],
  ['RateLimiter', () => new RateLimiter({ maxPerSecond: 5, burst: 0.5 }), C.OPTION_RANGE, /^curator-log: rateLimit\.burst must be a number >= 1, got 0.5$/, 'rateLimit.burst'],
  ['RateLimiter', () => new RateLimiter({ maxPerSecond: '5' as never }), C.OPTION_TYPE, /^curator-log: rateLimit\.maxPerSecond must be a positive number, got "5"$/, 'rateLimit.maxPerSecond'],
  ['Sanitizer', () => new Sanitizer(null as never), C.OPTION_TYPE, /^curator-log: sanitize must be an object, got null$/, 'sanitize'],
  ['Sanitizer', () => new Sanitizer({ allowKeys: [1 as never] }), C.OPTION_TYPE, /^curator-log: sanitize\.allowKeys must be an array of non-empty strings, got \[1\]$/, 'sanitize.allowKeys'],
  ['Sanitizer', () => new Sanitizer({ patterns: 'x' as never }), C.OPTION_TYPE, /^curator-log: sanitize\.patterns must be an array, got "x"$/, 'sanitize.patterns'],
  ['Sanitizer', () => new Sanitizer({ patterns: [''] }), C.OPTION_TYPE, /^curator-log: sanitize\.patterns\[0\] must be a non-empty pattern string or \{ pattern, flags\?, replacement\? \}, got ""$/, 'sanitize.patterns[0]'],
  ['Sanitizer', () => new Sanitizer({ patterns: [{ pattern: 'x', flags: 'y' }] }), C.OPTION_VALUE, /^curator-log: sanitize\.patterns\[0\]\.flags may hold only i, m, s, u and g, got "y"$/, 'sanitize.patterns[0].flags'],
  ['Sanitizer', () => new Sanitizer({ patterns: [{ pattern: 'x', replacement: 1 as never }] }), C.OPTION_TYPE, /^curator-log: sanitize\.patterns\[0\]\.replacement must be a string, got 1$/, 'sanitize.patterns[0].replacement'],
  ['Sanitizer', () => new Sanitizer({ patterns: ['(unclosed'] }), C.BAD_PATTERN, /^curator-log: sanitize\.patterns\[0\] is not a valid regular expression/, 'sanitize.patterns[0]'],
  // The HTTP middleware.
  ['requestContext', () => requestContext({} as never), C.OPTION_TYPE, /^curator-log: logger must be a pino logger \(requestContext needs a logger\), got undefined$/, 'logger'],
  ['requestContext', () => requestContext({ logger: pino({ enabled: false }), trustProxy: -1 }), C.OPTION_RANGE, /^curator-log: trustProxy must be an integer >= 0, got -1$/, 'trustProxy'],
  ['requestContext', () => requestContext({ logger: pino({ enabled: false }), trustProxy: ['10.0.0.0/99'] }), C.OPTION_VALUE, /^curator-log: trustProxy: invalid range on address: 10\.0\.0\.0\/99$/, 'trustProxy'],
  ['requestContext', () => requestContext({ logger: pino({ enabled: false }), slowThresholdMs: '1s' as never }), C.OPTION_TYPE, /^curator-log: slowThresholdMs must be a number >= 0, got "1s"$/, 'slowThresholdMs'],
  ['requestContext', () => requestContext({ logger: pino({ enabled: false }), maxBodySize: -1 }), C.OPTION_RANGE, /^curator-log: maxBodySize must be an integer >= 0, got -1$/, 'maxBodySize'],
  ['requestContext', () => requestContext({ logger: pino({ enabled: false }), excludePaths: '/health' as never }), C.OPTION_TYPE, /^curator-log: excludePaths must be an array of non-empty strings, got "\/health"$/, 'excludePaths'],
  ['requestContext', () => requestContext({ logger: pino({ enabled: false }), requestIdHeader: '' }), C.OPTION_TYPE, /^curator-log: requestIdHeader must be a non-empty string, got ""$/, 'requestIdHeader'],
  ['requestContext', () => requestContext({ logger: pino({ enabled: false }), startLevel: 'loud' as 'info' }), C.UNKNOWN_LEVEL, /^curator-log: startLevel "loud" is not a level of this logger; known: trace, debug, info, warn, error, fatal$/, 'startLevel'],
  ['compileTrust', () => compileTrust({} as never), C.OPTION_TYPE, /^curator-log: trustProxy must be a number, a boolean, or proxy addresses, got \{\}$/, 'trustProxy'],
  // Misuse outside options.
  ['timedOperation', () => timedOperation('x')(42 as never), C.TIMING_TARGET, /^curator-log: a timing helper wraps a function or decorates a method$/],
  ['PerformanceMonitor', () => new PerformanceMonitor('idle', {}, false).stop(), C.MONITOR_NOT_STARTED, /^curator-log: PerformanceMonitor idle was not started$/]
]

function check (t: Test, err: unknown, code: ErrorCode, message: RegExp, option?: string): void {
  t.ok(isCuratorLogError(err, code), `code ${code}, got ${(err as { code?: string }).code}: ${(err as Error).message}`)
  t.equal((err as { code: string }).code, code)
  t.match((err as Error).message, message)
  if (option !== undefined) {
    t.ok(err instanceof OptionError && err instanceof TypeError, 'an OptionError, still a TypeError')
    t.equal((err as OptionError).option, option, 'names the option')
  }
}

t.test('every validator path throws its documented code, naming the option and the value', async t => {
  for (const [entry, run, code, message, option] of SYNC) {
    const before = workers()
    let thrown: unknown
    try {
      run()
    } catch (err) {
      thrown = err
    }
    t.ok(thrown, `${entry} throws (${message})`)
    if (thrown) check(t, thrown, code, message, option)
    t.equal(workers(), before, `${entry}: no worker was started (${message})`)
  }
})

t.test('the transport checks its options before it opens anything, with the same codes', async t => {
  for (const [options, code, message, option] of [
    [{ batchRows: 0 }, C.OPTION_RANGE, /^curator-log: batchRows must be a positive integer, got 0$/, 'batchRows'],
    [{ databaseLevel: 'audit', connectionString: DB }, C.UNKNOWN_LEVEL, /^curator-log: databaseLevel "audit" is not a level of this logger; known: trace, debug/, 'databaseLevel'],
    [{ database: false, console: { level: 'loud' } }, C.UNKNOWN_LEVEL, /^curator-log: console\.level "loud" is not a level of this logger/, 'console.level'],
    [{ database: false, console: { destination: -1 } }, C.OPTION_RANGE, /^curator-log: console\.destination must be an integer >= 0, got -1$/, 'console.destination'],
    [{ levels: { audit: 1.5 }, connectionString: DB }, C.OPTION_RANGE, /^curator-log: levels\.audit must be an integer, got 1.5$/, 'levels.audit']
  ] as const) {
    const err = await curatorLogTransport(options as never).then(() => undefined, (e: unknown) => e)
    t.ok(err, JSON.stringify(options))
    if (err) check(t, err, code, message, option)
  }
})

t.test('the transport worker reports a bad option in the same words as createLogger and resolveOptions', async t => {
  const stream = pino.transport({ target: new URL('../dist/transport/index.js', import.meta.url).pathname, options: { batchRows: 0, connectionString: DB } })
  const [err] = await once(stream, 'error') as [Error]
  t.equal(err.message, 'curator-log: batchRows must be a positive integer, got 0')
  t.ok(err instanceof TypeError)
  const misspelt = pino.transport({ target: new URL('../dist/transport/index.js', import.meta.url).pathname, options: { batchRow: 10, connectionString: DB } })
  const [unknown] = await once(misspelt, 'error') as [Error]
  t.match(unknown.message, /^curator-log: batchRow is not an option \(did you mean batchRows\? /)
})

t.test('the Fastify plugin fails the app with the same code and words as the middleware', async t => {
  for (const [options, code, message, option] of [
    [{}, C.OPTION_TYPE, /^curator-log: logger must be a pino logger \(the Fastify plugin needs a logger\), got undefined$/, 'logger'],
    [{ logger: pino({ enabled: false }), maxBodySize: -1 }, C.OPTION_RANGE, /^curator-log: maxBodySize must be an integer >= 0, got -1$/, 'maxBodySize'],
    [{ logger: pino({ enabled: false }), startLevel: 'loud' }, C.UNKNOWN_LEVEL, /^curator-log: startLevel "loud" is not a level of this logger/, 'startLevel'],
    // Fastify's own option, not the plugin's: given here it would do nothing.
    [{ logger: pino({ enabled: false }), trustProxy: true }, C.OPTION_UNKNOWN, /^curator-log: trustProxy is not an option \(known: logger, excludePaths, /, 'trustProxy']
  ] as const) {
    const app = Fastify()
    app.register(curatorLogFastify, options as never)
    const err = await app.ready().then(() => undefined, (e: unknown) => e)
    check(t, err, code, message, option)
    await app.close()
  }
})

t.test('a stream without a running worker: WORKER_UNAVAILABLE', async t => {
  const err = await requestStats({ on () {}, off () {} }).then(() => undefined, (e: unknown) => e)
  check(t, err, C.WORKER_UNAVAILABLE, /^curator-log: the transport worker is not running$/)
})

t.test('an unknown option\'s error lists, and suggests, only the options a user may set', async t => {
  const internal = /\bnow\b|spillSegmentBytes|\$context|pinoWillSendConfig|transportTarget/
  const runs: Array<[string, () => unknown]> = [
    ['createLogger', () => logger({ transportTargt: 'x' } as never)],
    ['createLogger database', () => logger({ database: { connectionString: DB, noww: 1 } as never })],
    ['resolveOptions', () => resolveOptions({ spillSegmentByte: 4096 } as never)],
    ['resolveOptions', () => resolveOptions({ $contxt: {} } as never)]
  ]
  for (const [entry, run] of runs) {
    let err: unknown
    try { run() } catch (e) { err = e }
    t.equal((err as OptionError | undefined)?.code, C.OPTION_UNKNOWN, entry)
    t.match((err as Error).message, /known: (name|connectionString), /, entry)
    t.notMatch((err as Error).message, internal, `${entry}: ${(err as Error).message}`)
  }
  // Still accepted: tests set them, and pino adds the last two to every target's options.
  t.doesNotThrow(() => resolveOptions({ now: Date.now, spillSegmentBytes: 4096, $context: {}, pinoWillSendConfig: true } as never))
})

t.test('docs/api.md lists every code, and nothing else', async t => {
  const doc = readFileSync(new URL('../docs/api.md', import.meta.url), 'utf8')
  const listed = [...doc.matchAll(/^\| `(CURATOR_LOG_ERR_\w+)` \|/gm)].map(m => m[1])
  t.same(listed.sort(), Object.values(C).sort())
})

// Each kind of connection string pg cannot read: libpq pairs with a bad port or an open quote, a URL
// with a broken host, ports outside 1–65535 in the authority or the query, a port of 0.
const BAD_CONNECTIONS = [
  'host=h password=SEKRETPW port=abc',
  "host=h password='SEKRETPW",
  'postgres://u:SEKRETPW@[::1/db',
  'host=h password=SEKRETPW port=65536',
  'postgres://u:SEKRETPW@127.0.0.1:0/db',
  'postgres://u:SEKRETPW@127.0.0.1/db?port=abc',
  'postgres://u:SEKRETPW@127.0.0.1/db?port=70000'
]

t.test('createLogger throws BAD_CONNECTION_STRING for a string pg cannot read, before any worker starts, never quoting it', async t => {
  const before = workers()
  for (const connectionString of BAD_CONNECTIONS) {
    let thrown: unknown
    try { logger({ database: { connectionString } }) } catch (err) { thrown = err }
    check(t, thrown, C.BAD_CONNECTION_STRING, /^curator-log: the connection string is not valid: use postgres:\/\//)
    t.notMatch(String((thrown as Error | undefined)?.stack), /SEKRETPW/, 'the password is not in the error')
    // DATABASE_URL is read the same way.
    let fromEnv: unknown
    try { logger({ env: { DATABASE_URL: connectionString } }) } catch (err) { fromEnv = err }
    check(t, fromEnv, C.BAD_CONNECTION_STRING, /^curator-log: the connection string is not valid/)
  }
  t.equal(workers(), before, 'no worker was started')
})

t.test('the plain transport with a string pg cannot read: one warning, every line dropped and counted, a prompt normal exit', async t => {
  const dir = consumerDir(t)
  const spillDir = join(dir, 'spill')
  for (const connection of BAD_CONNECTIONS.slice(0, 3)) {
    const run = await runFixture(dir, 'plain-transport-app.mjs', { CONNECTION: connection, SPILL_DIR: spillDir, LINES: '100' }, 60_000)
    t.equal(run.code, 0, `exit code 0 for ${connection}: ${run.stderr}`)
    const warnings = run.stderr.split('\n').filter(l => l.includes('the connection string is not valid'))
    t.equal(warnings.length, 1, 'reported once')
    t.match(warnings[0], /nothing is stored: every line is dropped and counted/)
    t.notMatch(run.stderr + run.stdout, /SEKRETPW/, 'the password is never printed')
    const stats = JSON.parse(/^stats (.*)$/m.exec(run.stdout)?.[1] ?? 'null')
    t.same(stats?.dropped, { info: 100, warn: 1 }, 'every line dropped and counted by level')
    t.equal(stats?.committed, 0)
    t.equal(stats?.spilled, 0)
    t.notOk(existsSync(spillDir), 'nothing spilled')
    const took = Number(/^exit after (\d+) ms$/m.exec(run.stdout)?.[1])
    t.ok(took < 8000, `ended in ${took} ms, no 10 s wait at close`)
  }
})

t.test('the CLI: a bad flag is one usage line naming the flag, exit 2', async t => {
  for (const [argv, line] of [
    [['query', '--schema', 'Logs'], /^curator-log query: --schema must be a lower-case SQL identifier \(letters, digits, _; at most 63 characters\), got "Logs"$/],
    [['tail', '--table', 'x'.repeat(56)], /^curator-log tail: --table must be a lower-case SQL identifier .*at most 55 characters/],
    [['query', '--level', 'loud'], /^curator-log query: --level: unknown level "loud"; known: trace, debug, info, warn, error, fatal$/],
    [['query', '--limit', '0'], /^curator-log query: --limit must be an integer from 1 to 1000000, got 0$/],
    [['tail', '--lines', 'many'], /^curator-log tail: --lines must be an integer from 0 to 100000, got "many"$/],
    [['maintain', '--months-ahead', '121'], /^curator-log maintain: --months-ahead must be an integer from 0 to 120, got 121$/]
  ] as const) {
    const r = await cli(...argv)
    t.equal(r.code, 2, argv.join(' '))
    const lines = r.err.split('\n')
    t.match(lines[0], line)
    t.same(lines.slice(1), [`see curator-log ${argv[0]} --help`, ''], 'the error, then where the help is: no stack')
  }
  // Without the test server's DATABASE_URL: its password, postgres, would be masked in the advice.
  const url = await bin(['query', '--url', 'host=a port=x5'], { DATABASE_URL: undefined })
  t.equal(url.code, 2)
  t.equal(url.err, 'curator-log query: --url is not a valid connection string: use postgres://user:password@host:port/database or host=… port=… dbname=… user=…\nsee curator-log query --help\n')
})

t.test('the CLI turns each coded error into one line, by its code', async t => {
  const samples: Record<ErrorCode, Error> = {
    [C.OPTION_TYPE]: new OptionError(C.OPTION_TYPE, 'x', ' must be a string, got 1', 1),
    [C.OPTION_RANGE]: new OptionError(C.OPTION_RANGE, 'x', ' must be a positive integer, got 0', 0),
    [C.OPTION_VALUE]: new OptionError(C.OPTION_VALUE, 'x', ' must be a or b, got "c"', 'c'),
    [C.OPTION_CONFLICT]: new OptionError(C.OPTION_CONFLICT, 'database', ': false needs a console output'),
    [C.OPTION_UNKNOWN]: new OptionError(C.OPTION_UNKNOWN, 'database.batchRow', ' is not an option of database (did you mean batchRows? known: batchRows)'),
    [C.UNKNOWN_LEVEL]: new UnknownLevelError('level', 'loud', ['info']),
    [C.BAD_PATTERN]: new OptionError(C.BAD_PATTERN, 'sanitize.patterns[0]', ' is not a valid regular expression'),
    [C.BAD_CONNECTION_STRING]: new ConnectionStringError(),
    [C.TIMING_TARGET]: new CuratorLogTypeError(C.TIMING_TARGET, 'a timing helper wraps a function or decorates a method'),
    [C.MONITOR_NOT_STARTED]: new CuratorLogError(C.MONITOR_NOT_STARTED, 'PerformanceMonitor x was not started'),
    [C.FLUSH_TIMEOUT]: new CuratorLogError(C.FLUSH_TIMEOUT, 'flush did not finish within 10000 ms'),
    [C.WORKER_UNAVAILABLE]: new CuratorLogError(C.WORKER_UNAVAILABLE, 'the transport worker exited')
  }
  t.same(Object.keys(samples).sort(), Object.values(C).sort(), 'a sample of every code')
  for (const [code, err] of Object.entries(samples)) {
    const out = databaseError(err) as Error
    t.not(out, err, `${code}: recognised by its code`)
    t.equal(out.constructor.name, 'CliError', code)
    t.notMatch(out.message, /\n|^curator-log: /, `${code}: one line, the tool's name not repeated: ${out.message}`)
    t.equal(out.cause, err, `${code}: --debug still reaches the original`)
  }
})
