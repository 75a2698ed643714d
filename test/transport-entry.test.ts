// createLogger and migrate find the worker and the schema from their own module URL (issue 18), from the
// TypeScript sources (as here, under the test loader) and from the built dist/; consumer.test.ts and
// create-logger-exit.test.ts cover the installed package.
import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { transportEntry } from '../lib/app/transport-entry.js'
import { loadMigrations } from '../lib/database/migrate.js'
import { count, freshTarget } from './support/db.js'
import { flushed, testLogger } from './support/logger.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const WORKER = `${ROOT}dist/transport/index.js`
const target = { schema: 's', table: 'system_logs' }

t.test('from source and from dist/, the worker is the built dist/transport/index.js', async t => {
  t.equal(transportEntry(), WORKER, 'from lib/app/transport-entry.ts')
  const built = await import(`${ROOT}dist/lib/app/transport-entry.js`) as typeof import('../lib/app/transport-entry.js')
  t.equal(built.transportEntry(), WORKER, 'from dist/lib/app/transport-entry.js')
})

t.test('from source and from dist/, the migrations are the files of schema/', async t => {
  const files = readdirSync(`${ROOT}schema`).filter(f => f.endsWith('.sql')).sort()
  t.ok(files.length > 0)
  t.same(loadMigrations(target).map(m => m.name), files)
  const built = await import(`${ROOT}dist/lib/database/migrate.js`) as typeof import('../lib/database/migrate.js')
  t.same(built.loadMigrations(target), loadMigrations(target))
})

t.test('createLogger run from source, with no transportTarget, starts that worker and lines land', async t => {
  const { target, client } = await freshTarget(t)
  const logger = await testLogger(t, target, { transportTarget: undefined, rateLimit: false })
  for (let i = 0; i < 3; i++) logger.info({ i }, 'found by URL')
  await flushed(logger)
  t.equal(await count(client, target), 3)
})
