import { PassThrough } from 'node:stream'
import t from 'tap'
import { main } from '../lib/cli/main.js'
import { cli } from './support/cli.js'
import { databaseUrl, freshTarget, transportLogger } from './support/db.js'

const A = '4bf92f3577b34da6a3ce929d0e0e4736'
const B = '0af7651916cd43dd8448eb211c80319c'
const lines = (out: string): any[] => out.trim().split('\n').filter(Boolean).map(l => JSON.parse(l))

t.test('query --trace-id and tail --trace-id: the rows of one trace, ids given back in the line', async t => {
  const { target } = await freshTarget(t)
  const args = ['--url', databaseUrl(), '--schema', target.schema, '--json']
  const seed = await transportLogger(t, target)
  seed.logger.info({ trace_id: A, span_id: '00f067aa0ba902b7', trace_flags: '01' }, 'a1')
  seed.logger.info({ trace_id: B }, 'b1')
  seed.logger.info({ traceId: A }, 'a2')
  seed.logger.info('no trace')
  await seed.end()

  const q = await cli('query', ...args, '--trace-id', A.toUpperCase())
  t.equal(q.code, 0, q.err)
  t.same(lines(q.out).map(l => l.msg), ['a1', 'a2'], 'upper-case hex is the same id')
  t.match(lines(q.out)[0], { trace_id: A, span_id: '00f067aa0ba902b7', trace_flags: 1 })
  const bad = await cli('query', ...args, '--trace-id', 'not-a-trace')
  t.equal(bad.code, 2)
  t.match(bad.err, /--trace-id takes a W3C trace id/)

  const out = new PassThrough()
  let text = ''
  out.on('data', d => { text += d })
  const ac = new AbortController()
  const done = main(['tail', ...args, '--trace-id', B, '--interval-ms', '50'], out, new PassThrough(), ac.signal)
  const waitFor = async (n: number): Promise<void> => { for (let i = 0; i < 400 && lines(text).length < n; i++) await new Promise(resolve => setTimeout(resolve, 25)) }
  await waitFor(1)
  const live = await transportLogger(t, target, { flushIntervalMs: 10 })
  live.logger.info({ trace_id: A }, 'a3')
  live.logger.info({ trace_id: B }, 'b2')
  await live.end()
  await waitFor(2)
  await new Promise(resolve => setTimeout(resolve, 200))
  ac.abort()
  t.equal(await done, 0)
  t.same(lines(text).map(l => l.msg), ['b1', 'b2'])
})
