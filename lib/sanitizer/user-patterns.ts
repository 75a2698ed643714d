import { RE2JS } from 're2js'
import { ERROR_CODES, OptionError } from '../core/errors.js'
import { invalid } from '../core/validate.js'
import { ALL_MARKS } from './marks.js'
import type { CompiledRule, PatternRule } from './value-patterns.js'

const FLAG_BITS: Record<string, number> = { i: RE2JS.CASE_INSENSITIVE, m: RE2JS.MULTILINE, s: RE2JS.DOTALL, g: 0, u: 0 }

/** What to do with a rule that cannot be compiled: throw (createLogger, new Sanitizer) or report and skip it. */
export type OnBadRule = ((message: string) => void) | undefined

/**
 * Compiles the rules users add with RE2's linear-time engine (re2js): whatever the pattern, a string of
 * n characters costs O(n), so no log value can stall the worker. RE2 has no backreferences and no
 * look-ahead; a pattern that needs them is refused, naming the option. Look-behinds are allowed.
 */
export function compileUserRules (rules: readonly (PatternRule | string)[], source: string, onBad: OnBadRule): CompiledRule[] {
  const out: CompiledRule[] = []
  rules.forEach((rule, i) => {
    try {
      out.push(compileOne(rule, `${source}[${i}]`))
    } catch (err) {
      if (onBad === undefined) throw err
      onBad((err as Error).message)
    }
  })
  return out
}

function compileOne (rule: PatternRule | string, name: string): CompiledRule {
  const r = typeof rule === 'string' ? { pattern: rule } : rule
  if (r === null || typeof r !== 'object' || typeof r.pattern !== 'string' || r.pattern === '') {
    throw invalid(ERROR_CODES.OPTION_TYPE, name, 'a non-empty pattern string or { pattern, flags?, replacement? }', rule)
  }
  if (r.replacement !== undefined && typeof r.replacement !== 'string') throw invalid(ERROR_CODES.OPTION_TYPE, `${name}.replacement`, 'a string', r.replacement)
  let flags = RE2JS.LOOKBEHINDS
  for (const f of r.flags ?? '') {
    const bit = FLAG_BITS[f]
    if (bit === undefined) throw new OptionError(ERROR_CODES.OPTION_VALUE, `${name}.flags`, ` may hold only i, m, s, u and g, got ${JSON.stringify(r.flags)}`, r.flags)
    flags |= bit
  }
  let re: RE2JS
  try {
    re = RE2JS.compile(RE2JS.translateRegExp(r.pattern), flags)
  } catch (err) {
    throw new OptionError(ERROR_CODES.BAD_PATTERN, name, ` is not a valid regular expression for the linear-time engine (RE2 syntax: no look-ahead, no backreferences) (${JSON.stringify(r.pattern)}): ${(err as Error).message}`, r.pattern, { cause: err })
  }
  const replacement = r.replacement ?? '[REDACTED]'
  return {
    name,
    marks: ALL_MARKS,
    // The DFA answers "any match?" cheaply; most values have none and skip the replace.
    test: s => re.test(s),
    replace: s => re.matcher(s).replaceAll(replacement)
  }
}
