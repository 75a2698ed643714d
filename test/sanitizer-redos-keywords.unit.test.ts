import t from 'tap'
import { Sanitizer } from '../lib/sanitizer/index.js'
import { SENSITIVE_KEYS, SENSITIVE_KEY_WORDS } from '../lib/sanitizer/sensitive-keys.js'
import { attackString, cpuMsPerCall, plainLogText } from './support/attack-strings.js'

// The text rules start at every name the key lists know. A rule that reads a value to its end, gives up
// and starts again at the next name reads the text once per name: `'cookie='.repeat(n)` cost seconds at
// 64 KiB. Every key word, after every separator and prefix the rules accept, is repeated back to back here.
const LONG = 65536
const s = new Sanitizer()
const cost = (text: string, budgetMs = 20, rounds = 3): number => cpuMsPerCall(() => s.sanitizeString(text, LONG), budgetMs, rounds)

const SEPARATORS = ['=', ':', ' = ', ':=', '=>', '": ', '":"', '\\":\\"', "='", '="', '=[', '={', '%3D', '%3A%22', '\u200b=']
const PREFIXES = ['x_', 'X-', 'Set-', 'HTTP_', 'proxy_', 'auth_', '?session_', 'pass\u200b']
const WORDS = [...new Set([...SENSITIVE_KEYS, ...SENSITIVE_KEY_WORDS])]

function keywordUnits (): string[] {
  const units = new Set<string>()
  for (const w of WORDS) {
    for (const sep of SEPARATORS) units.add(w + sep)
    for (const pre of PREFIXES) units.add(pre + w + '=')
    units.add(`<${w}>`)
    units.add(`${w}=x `)
    units.add(`${w}=${w}%40a.`)
  }
  return [...units]
}

t.test('repeated key names with separators: cost per byte does not grow from 8 KiB to 64 KiB', async t => {
  for (let i = 0; i < 3; i++) cost(plainLogText(LONG), 10, 1)
  const plain16 = cost(plainLogText(16384), 5, 2)
  // A sweep at 16 KiB ranks every unit; a rule that rescans is hundreds of times slower there than linear ones.
  // The first units are swept twice, so that the compiler's warm-up does not rank them first.
  const units = keywordUnits()
  for (const unit of units.slice(0, 40)) cost(attackString(unit, 16384), 1, 1)
  const ranked = units.map(unit => ({ unit, ms: cost(attackString(unit, 16384), 1, 1) })).sort((a, b) => b.ms - a.ms)
  t.comment(`${ranked.length} units; plain 16 KiB ${plain16.toFixed(2)} ms; worst ${ranked.slice(0, 5).map(r => `${JSON.stringify(r.unit)} ${r.ms.toFixed(2)} ms`).join(', ')}`)
  for (const { unit } of ranked.slice(0, 8)) {
    const at8 = cost(attackString(unit, 8192))
    const at64 = cost(attackString(unit, LONG))
    // 8x the bytes: about 8x the time when linear, 64x when quadratic.
    const growth = at64 / Math.max(at8, plain16 / 16)
    t.ok(growth <= 24, `${JSON.stringify(unit)}: 8 KiB ${at8.toFixed(2)} ms, 64 KiB ${at64.toFixed(2)} ms (x${growth.toFixed(1)} for 8x the bytes)`)
  }
})

t.test('the reported shapes, each at 8 and 64 KiB', async t => {
  for (const unit of ['cookie=', 'x_authorization=', 'Set-Cookie=', 'a_cookie:=', 'HTTP_COOKIE=sid=']) {
    const at8 = cost(attackString(unit, 8192))
    const at64 = cost(attackString(unit, LONG))
    t.ok(at64 <= 24 * at8, `${JSON.stringify(unit)}: 8 KiB ${at8.toFixed(2)} ms, 64 KiB ${at64.toFixed(2)} ms`)
  }
})
