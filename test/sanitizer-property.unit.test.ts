import { isDeepStrictEqual } from 'node:util'
import fc from 'fast-check'
import t from 'tap'
import { Sanitizer } from '../lib/sanitizer/index.js'
import { SECRETS } from './support/secrets.js'

const SEPARATORS = [' ', '\n', '\t', ',', ';', '(', ')', '[', ']', '"', "'", '', '|']
const word = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz '), maxLength: 12 })

/** A string with the secret planted at a random position, delimited as text around it would be. */
const planted = (secret: string) => fc.tuple(word, fc.constantFrom(...SEPARATORS), fc.constantFrom(...SEPARATORS), word)
  .map(([before, l, r, after]) => {
    // Letters touching the secret would make it another word, not this secret: keep a boundary.
    const left = before === '' || l !== '' ? before + l : before + ' '
    const right = after === '' || r !== '' ? r + after : ' ' + after
    return left + secret + right
  })

/** A JSON-like value with `leaf` somewhere inside, at any depth. */
const nestedWith = (leaf: fc.Arbitrary<string>) => fc.letrec<{ value: unknown }>(tie => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.tuple(fc.array(fc.oneof(fc.integer(), word), { maxLength: 3 }), tie('value'), fc.nat(3)).map(([rest, v, at]) => { const a: unknown[] = [...rest]; a.splice(at % (a.length + 1), 0, v); return a }),
    fc.tuple(fc.string({ unit: fc.constantFrom(...'abcdefgh'), minLength: 1, maxLength: 8 }), tie('value'), fc.dictionary(fc.string({ unit: fc.constantFrom(...'ijklmn'), minLength: 1, maxLength: 6 }), word, { maxKeys: 3 })).map(([k, v, rest]) => ({ ...rest, [`f_${k}`]: v }))
  )
})).value

t.test('a planted secret never survives, at any position, in any nesting', async t => {
  const s = new Sanitizer()
  fc.assert(fc.property(fc.constantFrom(...SECRETS).chain(sec => fc.tuple(fc.constant(sec), nestedWith(planted(sec.text)))), ([secret, value]) => {
    const out = JSON.stringify(s.sanitize({ data: value }))
    return !out.includes(secret.core) && !out.includes(JSON.stringify(secret.core).slice(1, -1))
  }), { numRuns: 3000 })
  t.pass('3000 random plantings')
})

t.test('clean text passes through unchanged', async t => {
  const s = new Sanitizer()
  fc.assert(fc.property(fc.stringMatching(/^[A-Za-z ,.!?]{0,200}$/), text => s.sanitizeString(text) === text), { numRuns: 2000 })
  t.pass('2000 random sentences')
})

t.test('in place on parsed JSON gives the same result as the copying walk', async t => {
  const s = new Sanitizer({ maxDepth: 4, maxArrayLength: 3, maxObjectKeys: 4 })
  const json = fc.letrec<{ v: unknown }>(tie => ({
    v: fc.oneof({ depthSize: 'small' }, fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.constantFrom(...SECRETS.map(x => x.text)),
      fc.array(tie('v'), { maxLength: 5 }),
      fc.dictionary(fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('token', 'api_key', '__proto__', 'constructor', 'jane@example.com')), tie('v'), { maxKeys: 6 }))
  })).v
  fc.assert(fc.property(fc.dictionary(fc.string({ maxLength: 6 }), json), record => {
    const text = JSON.stringify(record)
    const copied = s.sanitizeObject(JSON.parse(text))
    const inPlace = s.sanitizeParsed(JSON.parse(text))
    // Key order may differ where a key was renamed; jsonb does not keep it either.
    return isDeepStrictEqual(copied, inPlace)
  }), { numRuns: 2000 })
  t.pass('2000 random records')
})
