import t from 'tap'
import { bindContext, getContext, runWithContext } from '../lib/app/context.js'
import { freshTarget } from './support/db.js'
import { testLogger } from './support/logger.js'

// What a request body parsed with JSON.parse can hold: an own key named __proto__.
const hostile = (): Record<string, unknown> => JSON.parse('{"__proto__":{"user_id":"admin","request_id":"forged"},"tenant":"acme"}')

t.test('a parsed __proto__ key bound into the context forges no column', async t => {
  const { target, client } = await freshTarget(t)
  const logger = await testLogger(t, target)
  runWithContext({ request_id: 'r-1' }, () => {
    bindContext(hostile())
    logger.info('first line of the scope')
    logger.info('second line of the scope')
    logger.info(hostile(), 'a hostile logged object')
    t.equal(getContext().user_id, undefined, 'getContext shows no inherited user_id')
    t.equal(Object.getPrototypeOf(getContext()), Object.prototype, 'the copy keeps its prototype')
  })
  runWithContext(hostile(), () => logger.info('scope opened with it'))
  await new Promise<void>(resolve => setImmediate(() => {
    bindContext(hostile())
    logger.info('outside any scope')
    resolve()
  }))
  await logger.close()
  t.equal(({} as Record<string, unknown>).user_id, undefined, 'Object.prototype is untouched')
  const r = await client.query(`SELECT message, user_id, request_id, context FROM "${target.schema}".system_logs ORDER BY id`)
  t.equal(r.rowCount, 5)
  for (const row of r.rows) {
    t.equal(row.user_id, null, `${row.message}: user_id not forged`)
    t.not(row.request_id, 'forged', `${row.message}: request_id not forged`)
    t.equal(row.context.tenant, 'acme', `${row.message}: the other fields are kept`)
  }
})
