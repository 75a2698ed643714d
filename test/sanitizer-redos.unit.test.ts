import t from 'tap'
import { Sanitizer } from '../lib/sanitizer/index.js'
import { attackString, cpuMsPerCall, plainLogText, rulesUnderAttack } from './support/attack-strings.js'

// Messages are capped at 64 KiB (maxMessageLength): that is the longest string the rules read.
const LONG = 65536
const s = new Sanitizer()
const cost = (text: string, budgetMs = 20, rounds = 3): number => cpuMsPerCall(() => s.sanitizeString(text, LONG), budgetMs, rounds)

// Warm the sanitizer up, so that the first measurement is not of the compiler.
for (let i = 0; i < 3; i++) cost(plainLogText(LONG), 10, 1)
const plain = cost(plainLogText(LONG))
const plainProse = cost(attackString('the quick brown fox jumps over the lazy dog ', LONG))

t.test('every built-in rule: attack strings built from its examples cost about as much as plain text', async t => {
  t.comment(`plain 64 KiB: log text ${plain.toFixed(2)} ms, prose ${plainProse.toFixed(2)} ms of CPU`)
  const floor = Math.max(plain, plainProse)
  for (const { rule, units } of rulesUnderAttack()) {
    // A quick sweep at 16 KiB finds the rule's worst piece; a quadratic rule is thousands of times slower there.
    let worst = { ms: 0, text: '' }
    for (const unit of units) {
      for (const lead of ['', '=']) {
        const text = attackString(unit, 16384, lead)
        const ms = cost(text, 2, 1)
        if (ms > worst.ms) worst = { ms, text }
      }
    }
    const unit = worst.text
    const at8 = cost(attackString(unit, 8192))
    const at64 = cost(attackString(unit, LONG))
    t.comment(`${rule.name}: worst ${JSON.stringify(unit.slice(0, 24))}… 8 KiB ${at8.toFixed(2)} ms, 64 KiB ${at64.toFixed(2)} ms`)
    t.ok(at64 <= 10 * floor, `${rule.name}: 64 KiB within 10x plain text (${(at64 / floor).toFixed(1)}x)`)
    // Linear: 8x the bytes, about 8x the time; quadratic would be 64x.
    t.ok(at64 <= 3 * 8 * Math.max(at8, floor / 8), `${rule.name}: cost per byte does not grow from 8 to 64 KiB (${(at64 / at8 / 8).toFixed(2)}x)`)
  }
})

t.test('the strings issue 16 reported: a message and an HTTP path', async t => {
  for (const text of ['=' + 'a.'.repeat(32768), 'a.'.repeat(7900) + '=', '@' + 'a.'.repeat(32768), 'x://' + 'a.'.repeat(32768)]) {
    const ms = cost(text.slice(0, LONG))
    t.ok(ms <= 10 * plain, `${JSON.stringify(text.slice(0, 6))}…: ${ms.toFixed(2)} ms, ${(ms / plain).toFixed(1)}x plain`)
  }
})

t.test('user patterns run on the linear-time engine, catastrophic ones included', async t => {
  const users = new Sanitizer({ patterns: ['(a+)+$', '(a|aa)+b', '(x+x+)+y', { pattern: '^(\\w+\\s?)*$', replacement: '[X]' }] })
  const run = (n: number): number => cpuMsPerCall(() => users.sanitizeString('a'.repeat(n) + '!', LONG), 20, 3)
  run(1024)
  const small = run(8192)
  const large = run(LONG - 1)
  t.comment(`8 KiB ${small.toFixed(2)} ms, 64 KiB ${large.toFixed(2)} ms`)
  t.ok(large <= 3 * 8 * small, `cost per byte does not grow (${(large / small / 8).toFixed(2)}x)`)
  t.equal(users.sanitizeString('xxxxy and aab'), '[REDACTED] and [REDACTED]', 'the rules still apply')
})
