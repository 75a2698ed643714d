import { Sanitizer } from '../lib/sanitizer/sanitizer.js'
import { ORDINARY_VALUES } from '../test/support/secrets.js'
import { attackString, cpuMsPerCall, plainLogText, rulesUnderAttack } from '../test/support/attack-strings.js'
import type { Result } from './harness.js'

const KIB = 1024
const LONG = 64 * KIB

/**
 * Hostile input per rule: for every built-in rule, strings built from its own examples (see
 * test/support/attack-strings.ts) are swept at 16 KiB to find its worst shape, which is then measured
 * at 1, 8 and 64 KiB. Costs are CPU time (so that a busy machine does not count) of sanitizeString with
 * the 64 KiB cap messages have. Targets: the worst 64 KiB string within 10x plain log text of 64 KiB,
 * and the cost per byte not growing from 1 to 64 KiB (linear, not quadratic).
 */
export function sanitizerAttackScenario (smoke: boolean): Result[] {
  const s = new Sanitizer()
  const cost = (text: string, budgetMs = 20): number => cpuMsPerCall(() => s.sanitizeString(text, LONG), budgetMs, 3)
  for (let i = 0; i < 3; i++) cost(plainLogText(LONG), 10)
  const plain = cost(plainLogText(LONG))
  const results: Result[] = [{ scenario: 'sanitizer attacks', variant: 'plain log text, 64 KiB', value: plain, unit: 'ms CPU' }]
  let worstRatio = 0
  let worstGrowth = 0
  let shapes = 0
  for (const { rule, units } of rulesUnderAttack()) {
    let worst = { ms: 0, unit: '', lead: '' }
    for (const unit of smoke ? units.slice(0, 12) : units) {
      for (const lead of ['', '=']) {
        shapes++
        const ms = cost(attackString(unit, 16 * KIB, lead), 2)
        if (ms > worst.ms) worst = { ms, unit, lead }
      }
    }
    const at = (n: number): number => cost(attackString(worst.unit, n, worst.lead))
    const [k1, k8, k64] = [at(KIB), at(8 * KIB), at(LONG)]
    // Per byte at 64 KiB over per byte at 1 KiB: about 1 when linear, 64 when quadratic.
    const growth = (k64 / LONG) / (k1 / KIB)
    worstRatio = Math.max(worstRatio, k64 / plain)
    worstGrowth = Math.max(worstGrowth, growth)
    results.push({
      scenario: 'sanitizer attacks',
      variant: `${rule.name}: worst of ${units.length * 2} shapes, 64 KiB`,
      value: k64,
      unit: 'ms CPU',
      ratio: { to: 'plain 64 KiB', value: k64 / plain },
      target: '<= 10x plain',
      pass: k64 <= 10 * plain,
      note: `worst shape ${JSON.stringify((worst.lead + worst.unit).slice(0, 24))}; ns per byte at 1/8/64 KiB: ${[k1 / KIB, k8 / (8 * KIB), k64 / LONG].map(v => (v * 1e6).toFixed(1)).join(' / ')}`
    })
  }
  results.push(
    { scenario: 'sanitizer attacks', variant: `all rules, ${shapes} shapes: worst 64 KiB vs plain`, value: worstRatio, unit: 'x', target: '<= 10x', pass: worstRatio <= 10 },
    { scenario: 'sanitizer attacks', variant: 'all rules: cost per byte, 64 KiB over 1 KiB (worst)', value: worstGrowth, unit: 'x', target: '<= 2x (linear)', pass: worstGrowth <= 2 }
  )
  const falsePositives = ORDINARY_VALUES.filter(v => s.sanitizeString(v) !== v).length
  results.push({ scenario: 'sanitizer attacks', variant: `false positives among ${ORDINARY_VALUES.length} ordinary values (ids, hashes, UUIDs, trace ids, versions, times, IPs)`, value: falsePositives, unit: 'values', target: '0', pass: falsePositives === 0 })
  return results
}
