import t from 'tap'
import { freshTarget, rows, transportLogger } from './support/db.js'

t.test('lines logged through pino land as rows', async t => {
  const { target, client } = await freshTarget(t)
  const { logger, end } = await transportLogger(t, target)
  logger.info({ request_id: 'r1', extra: { a: 1 } }, 'hello')
  logger.error(new Error('boom'), 'failed')
  await end()
  const got = await rows(client, target)
  t.equal(got.length, 2)
  t.match(got[0], { level: 'info', message: 'hello', request_id: 'r1', context: { extra: { a: 1 } } })
  t.match(got[1], { level: 'error', message: 'failed', error_type: 'Error', error_message: 'boom', stack_trace: /Error: boom/ })
})
