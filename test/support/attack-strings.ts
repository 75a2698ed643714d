import { TOKEN_FORMATS } from '../../lib/sanitizer/token-formats.js'
import { type BuiltInRule, VALUE_PATTERNS } from '../../lib/sanitizer/value-patterns.js'

/**
 * Strings built to make a backtracking engine slow on a rule: pieces of the rule's own examples
 * repeated back to back (whole matches, a match missing its last character, every prefix up to 12
 * characters, every pair of neighbouring characters), bare and after an `=` (which sends a value
 * through the rules). The issue's `'=' + 'a.'.repeat(n)` is one of them (the email example's `e.`).
 */
export function attackUnits (examples: readonly string[], max = 48): string[] {
  const units = new Set<string>()
  for (const e of examples) {
    units.add(e)
    units.add(e.slice(0, -1))
    units.add(e.slice(0, -1) + ' ')
    for (let p = 1; p <= Math.min(12, e.length - 1); p++) units.add(e.slice(0, p))
  }
  for (const e of examples) {
    for (let i = 0; i + 1 < e.length; i++) units.add(e.slice(i, i + 2))
  }
  return [...units].filter(u => u !== '').slice(0, max)
}

/** `unit` repeated to `length` characters, after `lead`. */
export function attackString (unit: string, length: number, lead = ''): string {
  return (lead + unit.repeat(Math.ceil(length / unit.length))).slice(0, length)
}

/** Every built-in rule with its examples; the token rule gets every format's example. */
export function rulesUnderAttack (): Array<{ rule: BuiltInRule, units: string[] }> {
  return VALUE_PATTERNS.map(rule => {
    const examples = rule.name.startsWith('service token') ? [...rule.examples, ...TOKEN_FORMATS.map(f => f.example)] : rule.examples
    return { rule, units: attackUnits(examples, rule.name.startsWith('service token') ? 160 : 48) }
  })
}

/** Ordinary log text (words, paths, key=value pairs, ids, numbers): what the rules read on a normal day. */
export function plainLogText (length: number): string {
  return attackString('GET /api/v1/orders/1234/items status=200 took 12.5ms user=user-42 tenant=acme region eu-west-1 request 7f3c0001-1b2a-4c5d-9e8f-000000001f0f ok; ', length)
}

/**
 * CPU time of one call of `fn` in milliseconds: calls repeated until they have used `budgetMs` of CPU,
 * best of `rounds`. CPU time, not wall time, so that other processes on a busy machine do not count.
 */
export function cpuMsPerCall (fn: () => unknown, budgetMs = 20, rounds = 3): number {
  let best = Infinity
  for (let r = 0; r < rounds; r++) {
    const start = process.cpuUsage()
    let calls = 0
    let used = 0
    do {
      fn()
      calls++
      const d = process.cpuUsage(start)
      used = (d.user + d.system) / 1000
    } while (used < budgetMs)
    best = Math.min(best, used / calls)
  }
  return best
}
