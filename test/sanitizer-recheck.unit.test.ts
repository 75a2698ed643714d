import t from 'tap'
import { type AttackPattern, checkSync } from 'recheck'
import { TOKEN_FORMATS, tokenFormatsPattern } from '../lib/sanitizer/token-formats.js'
import { VALUE_PATTERNS } from '../lib/sanitizer/value-patterns.js'
import { cpuMsPerCall } from './support/attack-strings.js'

// recheck (a ReDoS checker) analyses each built-in rule. Its fuzz checker (used for patterns with
// look-behind) also reports large linear constants as "vulnerable", so every attack it finds is pumped
// on V8 itself: 8 times the pumps must cost about 8 times as much (quadratic would be 64). The token formats are checked one body class at a time (the prefixes are literals and do
// not change the analysis; the whole alternation is more than the checker finishes in time).
const TIMEOUT_MS = 60_000

const byBody = new Map(TOKEN_FORMATS.map(f => [f.body, f]))
const patterns = [
  ...VALUE_PATTERNS.filter(r => !r.name.startsWith('service token')).map(r => ({ name: r.name, source: r.pattern, flags: r.flags ?? '' })),
  ...[...byBody.values()].map(f => ({ name: `token body ${f.body} (${f.prefix})`, source: tokenFormatsPattern([f]), flags: '' }))
]

t.setTimeout(patterns.length * TIMEOUT_MS)

t.test('no built-in rule is vulnerable to ReDoS', async t => {
  for (const p of patterns) {
    const result = checkSync(p.source, p.flags + 'g', { timeout: TIMEOUT_MS })
    if (result.status === 'vulnerable') {
      const growth = pumpedGrowth(new RegExp(p.source, p.flags + 'g'), result.attack)
      t.ok(growth < 3, `${p.name}: recheck's attack ${result.attack.pattern.slice(0, 50)} grows ${growth.toFixed(2)}x per byte on V8`)
    } else {
      t.pass(`${p.name}: ${result.status} by ${result.checker ?? 'none'}`)
      if (result.status !== 'safe') t.comment(`${p.name}: ${result.status} (the checker did not finish)`)
    }
  }
})

/** Cost per byte of the attack pumped 8 times further, relative to the cost per byte at the start. */
function pumpedGrowth (re: RegExp, attack: AttackPattern): number {
  const build = (n: number): string => attack.pumps.map(p => p.prefix + p.pump.repeat(n)).join('') + attack.suffix
  const unit = Math.max(1, attack.pumps.reduce((sum, p) => sum + p.pump.length, 0))
  const n = Math.ceil(8192 / unit)
  const small = build(n)
  const large = build(8 * n)
  const cost = (s: string): number => cpuMsPerCall(() => s.replace(re, '#'), 20, 3)
  cost(small)
  return (cost(large) / large.length) / (cost(small) / small.length)
}
