import { once } from 'node:events'
import pino from 'pino'
import type { Test } from 'tap'
import { createLogger, type CuratorLogger } from '../../lib/app/create-logger.js'
import type { CreateLoggerOptions } from '../../lib/app/logger-config.js'
import type { LogTarget } from '../../lib/core/identifiers.js'
import { TRANSPORT, databaseUrl } from './db.js'

/**
 * createLogger writing to the test's target only (no console, no signal handlers), closed at the end.
 * Resolves once the worker is ready: on a loaded machine a worker (dist/transport, built before the run) can take
 * longer than thread-stream's 10 s synchronous flush waits for a worker that has not started.
 */
export async function testLogger (t: Test, target: LogTarget, options: CreateLoggerOptions = {}): Promise<CuratorLogger> {
  const logger = createLogger({
    console: false,
    handleSignals: false,
    handleExceptions: false,
    transportTarget: TRANSPORT,
    env: {},
    ...options,
    database: options.database === false ? false : { connectionString: databaseUrl(), schema: target.schema, table: target.table, spillDir: false, ...options.database }
  })
  t.teardown(() => logger.close())
  const stream = (logger as unknown as Record<symbol, { ready?: boolean, once (e: string, f: () => void): unknown }>)[pino.symbols.streamSym]
  if (stream && stream.ready === false) await once(stream as unknown as NodeJS.EventEmitter, 'ready')
  return logger
}

/** Resolves once every line logged so far is committed; under load a worker can take seconds to start. */
export function flushed (logger: CuratorLogger): Promise<void> {
  return new Promise((resolve, reject) => logger.flush(err => err ? reject(err) : resolve()))
}
