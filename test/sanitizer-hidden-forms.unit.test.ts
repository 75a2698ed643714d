import t from 'tap'
import { Sanitizer } from '../lib/sanitizer/index.js'
import { SENSITIVE_KEYS, SENSITIVE_KEY_WORDS } from '../lib/sanitizer/sensitive-keys.js'
import { VALUE_PATTERNS } from '../lib/sanitizer/value-patterns.js'
import { ORDINARY_VALUES } from './support/secrets.js'

// Secrets written in forms the rules did not read: a bare value after a cookie or authorization name,
// percent-encoded text, addresses in other scripts, words split by invisible characters or separators.
const s = new Sanitizer()
const SECRET = 'Qz7SEKRETv'
const gone = (out: string): boolean => !out.includes(SECRET) && !out.includes(SECRET.slice(2, -2))

const COOKIE_NAMES = ['cookie', 'Cookie', 'cookies', 'auth_cookie', 'session_cookie', 'HTTP_COOKIE', 'Set-Cookie', 'x-cookie', 'csrf.cookie']
const AUTH_NAMES = ['authorization', 'Authorization', 'x_authorization', 'HTTP_AUTHORIZATION', 'proxy_authorization', 'Proxy-Authorization', 'X-Proxy-Authorization']
const SCHEMES = ['', 'Token ', 'Bearer ', 'Basic ', 'Digest ', 'Negotiate ', 'ApiKey ']

t.test('bare values after cookie and authorization names', async t => {
  for (const name of COOKIE_NAMES) {
    for (const text of [`${name}=${SECRET}`, `${name}=sid=${SECRET}`, `${name}=theme=dark; sid=${SECRET}; lang=en`, `GET /?${name}=${SECRET}&x=1`, `${name}:=${SECRET}`]) {
      t.ok(gone(s.sanitizeString(text)), `${JSON.stringify(text)} -> ${JSON.stringify(s.sanitizeString(text))}`)
    }
  }
  for (const name of AUTH_NAMES) {
    for (const scheme of SCHEMES) {
      for (const sep of ['=', ': ', ':=']) {
        const text = `${name}${sep}${scheme}${SECRET}`
        const out = s.sanitizeString(text)
        t.ok(gone(out) && out.startsWith(name + sep + scheme), `${JSON.stringify(text)} -> ${JSON.stringify(out)}`)
      }
    }
  }
  t.equal(s.sanitizeString(`cookie=sid=${SECRET}; HTTP_AUTHORIZATION=Token ${SECRET}`), 'cookie=[REDACTED]; HTTP_AUTHORIZATION=Token [REDACTED]')
  t.equal(s.sanitizeString(`?session_cookie=${SECRET}&page=2`), '?session_cookie=[REDACTED]&page=2', 'a query stops the value at &')
  t.equal(s.sanitizeString('cookie_consent=yes'), 'cookie_consent=yes', 'a name that only starts with cookie stays')
})

t.test('percent-encoded text is redacted as its decoded form: every built-in rule example', async t => {
  for (const rule of VALUE_PATTERNS) {
    for (const example of rule.examples) {
      const plain = s.sanitizeString(`see ${example} here`)
      for (const encoded of [encodeURIComponent(example), encodeURIComponent(encodeURIComponent(example))]) {
        if (encoded === example) continue
        const out = s.sanitizeString(`see ${encoded} here`)
        // Where a rule already redacts the encoded text (a Telegram token's `%3AAA…` reads as a key),
        // the text stays encoded: then neither form of the example may remain.
        if (s.sanitizeString(encoded) === encoded) t.equal(out, plain, `${rule.name}: ${JSON.stringify(encoded)}`)
        else t.ok(!out.includes(example) && !out.includes(encoded), `${rule.name}: ${JSON.stringify(encoded)} -> ${JSON.stringify(out)}`)
      }
    }
  }
  t.equal(s.sanitizeString('/users/jane.doe%40example.com/profile'), '/users/[REDACTED_EMAIL]/profile')
  t.equal(s.sanitizeString('GET /login?password%3Dhunter2&x=1'), 'GET /login?password=[REDACTED]&x=1')
  t.equal(s.sanitizeString('/search?q=caf%C3%A9&page=2'), '/search?q=caf%C3%A9&page=2', 'encoded text without a secret stays encoded')
  t.equal(s.sanitizeString('100%25 done, a%00b'), '100%25 done, a%00b')
})

t.test('email addresses in any script are redacted whole', async t => {
  for (const address of ['user@münchen.de', 'rené.müller@example.de', 'jöhn@example.com', 'jane@exämple.com', 'почта@пример.рф', '用户@例子.广告', 'ü@x.com', 'jane.doe@example.com']) {
    t.equal(s.sanitizeString(`mail ${address}, ok`), 'mail [REDACTED_EMAIL], ok', address)
    t.equal(s.sanitizeString(`mail ${address.normalize('NFD')}, ok`), 'mail [REDACTED_EMAIL], ok', `${address} decomposed`)
  }
})

const INVISIBLES = ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad']
const KEY_WORDS = [...new Set([...SENSITIVE_KEYS, ...SENSITIVE_KEY_WORDS])]

t.test('invisible characters inside a key name or a name in text', async t => {
  for (const word of KEY_WORDS) {
    for (const ch of INVISIBLES) {
      const hidden = word.slice(0, 1) + ch + word.slice(1)
      t.ok(s.isSensitiveKey(hidden), `key ${JSON.stringify(hidden)}`)
      t.ok(gone(JSON.stringify(s.sanitize({ [hidden]: SECRET }))), `object key ${JSON.stringify(hidden)}`)
      const text = `${hidden}=${SECRET}`
      t.ok(gone(s.sanitizeString(text)), `${JSON.stringify(text)} -> ${JSON.stringify(s.sanitizeString(text))}`)
    }
  }
})

t.test('keys spelled with separators, and cvv2, passcode, pincode', async t => {
  // Separators go before the substring lists compare; the short words stay whole words (a.u.t.h is not auth).
  for (const word of SENSITIVE_KEYS) {
    for (const sep of ['.', ' ', '_', '-']) {
      const spread = [...word].join(sep)
      t.ok(s.isSensitiveKey(spread), `key ${JSON.stringify(spread)}`)
    }
  }
  for (const key of ['cvv2', 'card_cvv2', 'cvc2', 'passcode', 'userPasscode', 'pincode', 'pin_code', 'PINCODE']) {
    t.ok(s.isSensitiveKey(key), `key ${key}`)
    t.ok(gone(s.sanitizeString(`${key}=${SECRET}`)), `${key}= in text`)
  }
})

t.test('ordinary values still survive', async t => {
  const changed = ORDINARY_VALUES.filter(v => s.sanitizeString(v) !== v)
  t.same(changed, [])
})
