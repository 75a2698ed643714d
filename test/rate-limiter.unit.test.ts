import t from 'tap'
import { RateLimiter } from '../lib/app/rate-limiter.js'

t.test('the reference test: limit 5 per second, the 6th is dropped', async t => {
  const limiter = new RateLimiter({ maxPerSecond: 5 })
  for (let i = 0; i < 5; i++) t.equal(limiter.shouldLog(), true)
  t.equal(limiter.shouldLog(), false)
  t.equal(limiter.getDroppedCount(), 1)
  t.equal(limiter.resetDroppedCount(), 1)
  t.equal(limiter.droppedCount, 0)
})

t.test('refills at the per-second rate, up to the burst', async t => {
  let now = 0
  const limiter = new RateLimiter({ maxPerSecond: 10, burst: 2 }, () => now)
  t.same([limiter.shouldLog('k'), limiter.shouldLog('k'), limiter.shouldLog('k')], [true, true, false])
  now += 100 // one token
  t.same([limiter.shouldLog('k'), limiter.shouldLog('k')], [true, false])
  now += 10_000 // refill stops at the burst
  t.same([limiter.shouldLog('k'), limiter.shouldLog('k'), limiter.shouldLog('k')], [true, true, false])
})

t.test('per key: a runaway key does not silence the others; global: one bucket', async t => {
  const perKey = new RateLimiter({ maxPerSecond: 1 }, () => 0)
  t.equal(perKey.shouldLog('loop'), true)
  t.equal(perKey.shouldLog('loop'), false)
  t.equal(perKey.shouldLog('other'), true)
  t.same([...perKey.takeSuppressed()], [['loop', 1]])
  t.same([...perKey.takeSuppressed()], [], 'taken once')
  const global = new RateLimiter({ maxPerSecond: 1, mode: 'global' }, () => 0)
  t.equal(global.shouldLog('a'), true)
  t.equal(global.shouldLog('b'), false)
})

t.test('a number is the per-second limit; bad settings are clear errors', async t => {
  t.equal(new RateLimiter(7).maxPerSecond, 7)
  t.equal(new RateLimiter().maxPerSecond, 100)
  t.throws(() => new RateLimiter({ maxPerSecond: 0 }), /maxPerSecond must be a positive number/)
  t.throws(() => new RateLimiter({ maxPerSecond: 5, burst: 0.5 }), /burst must be a number >= 1/)
  t.throws(() => new RateLimiter({ mode: 'sometimes' as 'global' }), /mode must be per-key, per-logger or global/)
})

t.test('many keys stay bounded', async t => {
  const limiter = new RateLimiter({ maxPerSecond: 1 }, () => 0)
  // Each key is refused once, so a key the limiter still remembers shows in takeSuppressed().
  for (let i = 0; i < 25_000; i++) {
    limiter.shouldLog(`k${i}`)
    limiter.shouldLog(`k${i}`)
  }
  t.equal(limiter.getDroppedCount(), 25_000)
  const remembered = limiter.takeSuppressed().size
  t.ok(remembered > 0 && remembered <= 10_000, `${remembered} of 25 000 keys remembered`)
})
