import t, { type Test } from 'tap'
import { isoTime } from '../transport/iso-time.js'

const same = (t: Test, ms: number): void => {
  t.equal(isoTime(ms), new Date(ms).toISOString(), String(ms))
}

t.test('writes what Date#toISOString writes at the edges', async t => {
  for (const ms of [0, -0, 1, -1, 999, 1000, -999, -1000, -1001, 0.5, -0.5, 1.9999, -1.5,
    Date.UTC(2026, 11, 31, 23, 59, 59, 999), Date.UTC(2027, 0, 1), 253402300799999, 253402300800000,
    -62167219200000, -62167219200001, 8.64e15, -8.64e15]) same(t, ms)
})

t.test('the cached second is never reused for another second', async t => {
  // Same millisecond field, different seconds, alternating: a stale prefix would show at once.
  let mismatches = 0
  const base = Date.UTC(2026, 10, 28, 12, 0, 0)
  for (let i = 0; i < 10_000; i++) {
    const ms = base + (i % 2 === 0 ? 0 : 86_400_000 + 1000) + (i % 1000)
    if (isoTime(ms) !== new Date(ms).toISOString()) mismatches++
  }
  t.equal(mismatches, 0)
})

t.test('random times, in order and out of order, equal toISOString', async t => {
  let mismatches = 0
  let ordered = Date.now()
  for (let i = 0; i < 200_000; i++) {
    ordered += Math.floor(Math.random() * 5)
    const anywhere = (Math.random() - 0.5) * 2 * 8.64e15 * (i % 2 === 0 ? 1 : 1e-4)
    for (const ms of [ordered, anywhere]) if (isoTime(ms) !== new Date(ms).toISOString()) mismatches++
  }
  t.equal(mismatches, 0)
})
