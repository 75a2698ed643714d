import t from 'tap'
import { checkSync } from 'recheck'
import { TOKEN_FORMATS, tokenFormatsPattern } from '../lib/sanitizer/token-formats.js'
import { VALUE_PATTERNS } from '../lib/sanitizer/value-patterns.js'

// recheck (a ReDoS checker) analyses each built-in rule: polynomial or exponential backtracking is a
// failure. The token formats are checked one body class at a time (the prefixes are literals and do
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
    const attack = result.status === 'vulnerable' ? ` (attack: ${result.attack.pattern.slice(0, 60)})` : ''
    t.not(result.status, 'vulnerable', `${p.name}: ${result.status} by ${result.checker ?? 'none'}${attack}`)
    if (result.status !== 'safe') t.comment(`${p.name}: ${result.status} (the checker did not finish)`)
  }
})
