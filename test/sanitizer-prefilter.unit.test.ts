import fc from 'fast-check'
import t from 'tap'
import { Sanitizer } from '../lib/sanitizer/index.js'
import { mayHoldSecret, secretMarks } from '../lib/sanitizer/prefilter.js'
import { TOKEN_FORMATS } from '../lib/sanitizer/token-formats.js'
import { VALUE_PATTERNS, compileBuiltIns } from '../lib/sanitizer/value-patterns.js'

const COMPILED = compileBuiltIns(VALUE_PATTERNS)
// A rule with a span function matches more than it changes (any `name=`): it is held to what it changes.
const RULES = VALUE_PATTERNS.map((r, i) => ({ re: new RegExp(r.pattern, (r.flags ?? '') + 'g'), marks: r.marks, span: r.span !== undefined, replace: COMPILED[i]!.replace }))
/** A rule that would match `s` although the prefilter gave none of its marks (the prefilter must never miss). */
const missed = (s: string): boolean => {
  const marks = secretMarks(s)
  return RULES.some(({ re, marks: needs, span, replace }) => {
    if ((marks & needs) !== 0) return false
    if (span) return replace(s) !== s
    re.lastIndex = 0
    return re.test(s)
  })
}

t.test('the prefilter never says no to a string a rule would change', async t => {
  // Strings built from the characters the rules care about, so that matches are frequent.
  const alphabet = [...'abcegjlpstxyABCEJKPSTXY0123456789@=:/._- \t\u00a0>*', 'eyJ', 'xox', 'glpat-', 'chr1:', 'Bearer ', 'Basic ', '-----BEGIN PRIVATE KEY-----', 'sk_live_', 'ghp_', 'AKIA', 'c.1', 'p.Arg1', 'password', 'pwd', ' = ', 'user', '@example.com', 'https://', 'u:secret@', 'hooks.slack.com/services/', 'github_pat_', 'rk_test_', 'del', 'Gly', '_', 'gldt-', 'xoxp-', 'dup', 'ins', 'fs', 'chrX:', 'BLOCK', 'END ',
    ...TOKEN_FORMATS.map(f => f.prefix), 'password', 'PGPASSWORD', '_pass', 'auth', 'Authorization', 'cookie', 'Set-Cookie', 'api_key', 'sig', '"', "'", '\\', ':', ': ', '=>',
    '4111', ' 1111', '-1111', '.1111', '<', '>', '</', 'curl ', 'mysql ', ' -u ', ' -p', 'pin_code', 'cvv', 'pw', '[', ']', '{', '}', ' 05 ', '078', ' 1120', 'de89', 'passw0rd', '378', 'DE89', ' 3704', 'GB82', '078-05-1120', '123', '-45-', '6789', 'Q~', '8Q~', '12345678:AA', '+', '/', 'g.1', 'chr17:', 'chrMT:', ',', 'delins', 'inv', 'T3', 'AKIA', 'A3T']
  fc.assert(fc.property(fc.array(fc.constantFrom(...alphabet), { maxLength: 40 }).map(a => a.join('')), s => !missed(s)), { numRuns: 50_000 })
  t.pass('50 000 strings')
})

t.test('every rule\'s examples carry its marks, alone and inside text', async t => {
  for (const rule of VALUE_PATTERNS) {
    for (const example of rule.examples) {
      for (const text of [example, `see ${example} here`, `"${example}"`]) t.notOk(missed(text), `${rule.name}: ${JSON.stringify(text)}`)
    }
  }
  for (const f of TOKEN_FORMATS) t.notOk(missed(`token ${f.example}.`), f.service)
})

t.test('a fine-grained GitHub token whose body is broken up by underscores', async t => {
  // Found by the property above: the rule allows `_` in the body, so runs must count it.
  t.equal(mayHoldSecret('github_pat_aaagithub_pat_sk_live_'), true)
})

t.test('plain values pass without the regular expression', async t => {
  for (const s of ['GET', '/api/v1/orders/42/items', 'eu-west-1', 'tenant-3', '10.0.1.7', '7f3c0001-1b2a-4c5d-9e8f-000000001f0f', 'order placed']) {
    t.equal(mayHoldSecret(s), false, s)
  }
})

t.test('the fast path never keeps a string the full path would change: encoded, invisible and other-script forms too', async t => {
  const s = new Sanitizer()
  const alphabet = ['a', 'b', 'x', '1', ' ', '=', ':', ';', '&', '?', '.', '%', '%40', '%3D', '%3A', '%2540', '%22', '%C3%BC', '%E2%80%8B', '%EF%BC%A0', 'pass', 'word', 'to', 'ken', 'cookie', 'cookies', 'HTTP_', 'authorization', 'Token ', 'sid', 'jane', 'ü', 'münchen', 'é', '@', 'example', '.de', '.com', '\u200b', '\u200d', '\u00ad', '\ufeff', '\u2060', '＠', 'ｐａｓｓ', 'cvv2', 'passcode', 'pincode', 'p.a.s.s']
  fc.assert(fc.property(fc.array(fc.constantFrom(...alphabet), { maxLength: 24 }).map(a => a.join('')), text => mayHoldSecret(text) || s.sanitizeString(text) === text), { numRuns: 20_000 })
  t.pass('20 000 strings')
})
