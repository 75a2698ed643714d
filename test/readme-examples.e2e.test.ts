// The examples in README.md, run as written in a consumer project against a database of their own:
// the README cannot show code that does not work.
import { existsSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import pg from 'pg'
import { GC_AT_EXIT, ROOT, consumerDir, runFixture } from './support/consumer.js'
import { scratchDatabase } from './support/db.js'
import { migrate } from '../lib/database/migrate.js'
import { connectionConfig } from '../lib/core/connection.js'
import { resolveOptions } from '../lib/core/transport-options.js'
import { configuredTarget, defaultSpillDir } from '../transport/spill-target.js'

/** The README's ```js blocks, in order. */
function readmeExamples (text = readFileSync(join(ROOT, 'README.md'), 'utf8')): string[] {
  return [...text.matchAll(/^```js\n([\s\S]*?)^```$/gm)].map(m => m[1])
}

async function migratedDatabase (t: Test): Promise<string> {
  const url = await scratchDatabase(t, 'readme')
  const owner = new pg.Client({ connectionString: url })
  await owner.connect()
  await migrate(owner, { schema: 'public', table: 'system_logs' })
  await owner.end()
  return url
}

const examples = readmeExamples()

t.test('README has the three examples it promises', async t => {
  t.equal(examples.length, 3)
})

t.test('every README example runs as written and its lines land', async t => {
  const url = await migratedDatabase(t)
  const dir = consumerDir(t)
  symlinkSync(join(ROOT, 'node_modules', 'express'), join(dir, 'node_modules', 'express'), 'dir')
  for (const [i, code] of examples.entries()) {
    const file = `readme-example-${i}.mjs`
    writeFileSync(join(dir, file), code)
    // A full GC as the loop empties: a logger the example no longer references must not lose its line.
    const run = await runFixture(dir, file, { DATABASE_URL: url, LOG_CONSOLE: 'false' }, 60_000, { copy: false, nodeArgs: GC_AT_EXIT })
    t.equal(run.code, 0, `example ${i + 1} exits 0\n${run.stderr}`)
  }
  const c = new pg.Client({ connectionString: url })
  await c.connect()
  t.teardown(() => c.end())
  const { rows } = await c.query('SELECT logger, message, request_id, user_id, context FROM system_logs ORDER BY id')
  t.same(rows.map(r => [r.logger, r.message, r.request_id, r.user_id]).sort(), [
    ['api', 'order placed', 'r-1', '42'],
    ['api', 'order placed', 'r-1', '42'],
    ['api', 'slow', 'r-1', '42']
  ])
  t.match(rows.find(r => r.message === 'slow').context, { step: 'payment' })
  // Each worker ended through its close (a worker killed without one leaves its lease behind).
  const o = resolveOptions({ connectionString: url })
  const spillDir = defaultSpillDir(o.appName, configuredTarget(connectionConfig(url, o.appName), o.target))
  t.teardown(() => rmSync(spillDir, { recursive: true, force: true }))
  t.same(existsSync(spillDir) ? readdirSync(spillDir) : [], [], `nothing left in ${spillDir}`)
})
