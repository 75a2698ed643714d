import { EventEmitter, once } from 'node:events'
import { Readable } from 'node:stream'
import t from 'tap'
import { bindContext, clearContext, getContext, runWithContext } from '../lib/app/context.js'

t.test('the reference test: bind, get, clear', async t => {
  runWithContext({}, () => {
    clearContext()
    bindContext({ request_id: 'test-123', user_id: 42 })
    const context = getContext()
    t.equal(context.request_id, 'test-123')
    t.equal(context.user_id, 42)
    clearContext()
    t.same(getContext(), {})
  })
})

t.test('getContext returns a copy', async t => {
  runWithContext({ a: 1 }, () => {
    const c = getContext()
    c.a = 2
    t.equal(getContext().a, 1)
  })
})

t.test('outside any scope, bindContext holds for the current async chain', async t => {
  await new Promise<void>(resolve => setImmediate(() => {
    bindContext({ outside: true })
    t.equal(getContext().outside, true)
    clearContext()
    t.same(getContext(), {})
    resolve()
  }))
})

t.test('nested scopes copy, so an inner bind never leaks out', async t => {
  runWithContext({ request_id: 'outer' }, () => {
    runWithContext({ span: 'inner' }, () => {
      bindContext({ deep: 1 })
      t.same(getContext(), { request_id: 'outer', span: 'inner', deep: 1 })
    })
    t.same(getContext(), { request_id: 'outer' })
  })
})

t.test('1 000 interleaved requests never see each other across await, timers, promises, emitters and streams', async t => {
  const seen: string[] = []
  const check = (i: number, where: string): void => {
    const c = getContext()
    if (c.request_id !== `r${i}` || c.user_id !== `u${i}`) seen.push(`${where} of r${i} saw ${JSON.stringify(c)}`)
  }
  const request = (i: number): Promise<void> => runWithContext({ request_id: `r${i}` }, async () => {
    await new Promise(resolve => setTimeout(resolve, Math.random() * 10))
    bindContext({ user_id: `u${i}` })
    check(i, 'await')
    await new Promise<void>(resolve => setTimeout(() => { check(i, 'timer'); resolve() }, Math.random() * 10))
    await Promise.resolve().then(() => check(i, 'then')).then(() => new Promise(resolve => setImmediate(resolve)))
    const emitter = new EventEmitter()
    emitter.on('tick', () => check(i, 'emitter'))
    setTimeout(() => emitter.emit('tick'), Math.random() * 5)
    await once(emitter, 'tick')
    for await (const n of Readable.from([1, 2, 3])) check(i, `stream ${n}`)
    check(i, 'end')
  })
  await Promise.all(Array.from({ length: 1000 }, (_, i) => request(i)))
  t.same(seen.slice(0, 5), [], 'no request saw another one\'s context')
  t.same(getContext(), {}, 'nothing leaked to the caller')
})
