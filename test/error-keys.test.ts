import pino from 'pino'
import t from 'tap'
import { freshTarget, rows, transportLogger } from './support/db.js'
import { flushed, testLogger } from './support/logger.js'

type Row = Record<string, any>

t.test('an Error under err or error fills the error columns', async t => {
  const { target, client } = await freshTarget(t)
  const logger = await testLogger(t, target)
  logger.error({ error: new Error('db down') }, 'query failed')
  logger.error({ err: new TypeError('bad input') }, 'parse failed')
  logger.error(new RangeError('thrown'))
  await flushed(logger)
  const got = await rows<Row>(client, target)
  t.match(got, [
    { message: 'query failed', error_type: 'Error', error_message: 'db down', stack_trace: /^Error: db down\n {4}at .*error-keys\.test\.ts/ },
    { message: 'parse failed', error_type: 'TypeError', error_message: 'bad input', stack_trace: /^TypeError: bad input\n/ },
    { message: 'thrown', error_type: 'RangeError', error_message: 'thrown', stack_trace: /^RangeError: thrown\n/ }
  ])
  for (const r of got) t.same(r.context, {})
})

t.test('what no error column takes stays in context: a name set on the instance, a type or stack that is not text', async t => {
  const { target, client } = await freshTarget(t)
  const logger = await testLogger(t, target)
  class NotFound extends Error { constructor (m: string) { super(m); this.name = 'NotFound' } }
  logger.error({ err: Object.assign(new Error('request timed out'), { name: 'TimeoutError' }) }, 'renamed')
  logger.error({ err: new NotFound('no such order') }, 'subclass')
  await flushed(logger)
  // A line another producer wrote, which pino's err serializer has not seen.
  const raw = await transportLogger(t, target)
  raw.stream.write(`{"level":50,"time":${Date.now()},"msg":"odd shapes","error":{"type":{"code":7},"name":"Odd","message":"x","stack":["a","b"]}}\n`)
  await raw.end()
  const got = await rows<Row>(client, target)
  t.match(got[0], { error_type: 'Error', error_message: 'request timed out', context: { err: { name: 'TimeoutError' } } })
  t.match(got[1], { error_type: 'NotFound', error_message: 'no such order' })
  t.notOk(got[1].context.err, 'a name equal to the type is not repeated')
  t.match(got[2], { error_type: 'Odd', error_message: 'x', context: { error: { type: { code: 7 }, stack: ['a', 'b'] } } })
})

t.test('a cause chain keeps every type, message and stack, in pino\'s err shape', async t => {
  const { target, client } = await freshTarget(t)
  const logger = await testLogger(t, target)
  const err = new Error('db down', { cause: new TypeError('socket closed', { cause: new RangeError('port') }) })
  logger.error({ error: err }, 'via error')
  logger.error({ err }, 'via err')
  await flushed(logger)
  for (const r of await rows<Row>(client, target)) {
    t.match(r, { error_type: 'Error', error_message: 'db down: socket closed: port' })
    t.match(r.stack_trace, /^Error: db down\n[^]*\ncaused by: TypeError: socket closed\n {4}at [^]*\ncaused by: RangeError: port\n {4}at /)
  }
})

t.test('with pino\'s errWithCause, causes are kept as objects under both keys', async t => {
  const { target, client } = await freshTarget(t)
  const logger = await testLogger(t, target, { pino: { serializers: { err: pino.stdSerializers.errWithCause } } })
  const err = new Error('db down', { cause: new TypeError('socket closed') })
  logger.error({ error: err }, 'via error')
  logger.error({ err }, 'via err')
  await flushed(logger)
  for (const [r, key] of (await rows<Row>(client, target)).map((r, i) => [r, i === 0 ? 'error' : 'err'] as const)) {
    t.match(r, { error_type: 'Error', error_message: 'db down', stack_trace: /^Error: db down\n/ })
    t.match(r.context[key], { cause: { type: 'TypeError', message: 'socket closed', stack: /^TypeError: socket closed\n {4}at / } })
  }
})

t.test('an AggregateError keeps the errors it holds', async t => {
  const { target, client } = await freshTarget(t)
  const logger = await testLogger(t, target)
  const agg = new AggregateError([new Error('first'), new TypeError('second')], 'two failed')
  logger.error({ error: agg }, 'via error')
  logger.error(agg, 'via err')
  await flushed(logger)
  const got = await rows<Row>(client, target)
  t.equal(got.length, 2)
  for (const [r, key] of got.map((r, i) => [r, i === 0 ? 'error' : 'err'] as const)) {
    t.match(r, { error_type: 'AggregateError', error_message: 'two failed', stack_trace: /^AggregateError: two failed\n/ })
    t.match(r.context[key].aggregateErrors, [
      { type: 'Error', message: 'first', stack: /^Error: first\n/ },
      { type: 'TypeError', message: 'second', stack: /^TypeError: second\n/ }
    ])
  }
})
