import t from 'tap'
import { Sanitizer, sanitizeDict, sanitizeForLogging } from '../lib/sanitizer/index.js'

t.test('the reference design\'s cases', async t => {
  const sanitized = sanitizeDict({ token: 'secret-token', email: 'user@example.com', safe_data: 'this is fine' })
  t.equal(sanitized.token, '[REDACTED]')
  t.equal(sanitized.email, '[REDACTED]')
  t.equal(sanitized.safe_data, 'this is fine')
  t.same(sanitizeDict(null), {})
  t.same(sanitizeDict({ a: 1 }, 0), { _truncated: 'MAX_DEPTH_EXCEEDED' })
  t.equal(sanitizeForLogging(null), null)
  t.equal(sanitizeForLogging('mail me: a.b@example.org'), 'mail me: [REDACTED_EMAIL]')
})

t.test('sensitive keys: case, _ and - ignored, substring, any depth, arrays of objects', async t => {
  const s = new Sanitizer()
  const out = s.sanitize({
    Authorization: 'Basic x',
    'X-API-KEY': 'k',
    user: { Password: 'p', profile: { phone_number: '123' } },
    items: [{ access_token: 'a' }, { name: 'ok' }],
    monkey: 'banana'
  }) as any
  t.same(out, {
    Authorization: '[REDACTED]',
    'X-API-KEY': '[REDACTED]',
    user: { Password: '[REDACTED]', profile: { phone_number: '[REDACTED]' } },
    items: [{ access_token: '[REDACTED]' }, { name: 'ok' }],
    monkey: '[REDACTED]'
  }, 'monkey contains "key": the substring rule is the reference\'s')
  const allowing = new Sanitizer({ allowKeys: ['cache_key', 'monkey'], sensitiveKeys: ['ssn'] })
  t.same(allowing.sanitize({ cacheKey: 'users:1', monkey: 'banana', customer_ssn: '1', api_key: 'x' }), { cacheKey: 'users:1', monkey: 'banana', customer_ssn: '[REDACTED]', api_key: '[REDACTED]' })
})

const POSITIVES: Array<[string, string, string]> = [
  ['email', 'contact jane.doe+tag@example.co.uk today', 'jane.doe+tag@example.co.uk'],
  ['JWT', 'auth eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U ok', 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9'],
  ['API key', 'key=Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z done', 'Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z'],
  ['AWS', 'using AKIAIOSFODNN7EXAMPLE now', 'AKIAIOSFODNN7EXAMPLE'],
  ['GitHub', 'token ghp_16C7e42F292c6912E7710c838347Ae178B4a here', 'ghp_16C7e42F292c6912E7710c838347Ae178B4a'],
  ['GitHub fine-grained', 'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz', 'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz'],
  ['GitLab', 'glpat-xxxxXXXXyyyyYYYY1234 in config', 'glpat-xxxxXXXXyyyyYYYY1234'],
  ['Slack', 'xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx posted', 'xoxb-123456789012'],
  ['Slack webhook', 'https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX', 'T00000000/B00000000'],
  ['Stripe', 'charge with sk_live_4eC39HqLyjWDarjtT1zdp7dc', 'sk_live_4eC39HqLyjWDarjtT1zdp7dc'],
  ['private key', 'key: -----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA75\n-----END RSA PRIVATE KEY----- end', 'MIIEpAIBAAKCAQEA75'],
  ['private key cut short', '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA', 'b3BlbnNzaC1rZXktdjEAAAAA'],
  ['URL password', 'connecting to postgres://app:s3cr3t-pw@db.internal:5432/prod', 's3cr3t-pw'],
  ['connection string password', 'Server=db;User Id=app;Password=hunter2;Database=x', 'hunter2'],
  ['Bearer', 'Authorization: Bearer abcdef0123456789.token', 'abcdef0123456789'],
  ['Basic', 'header Basic dXNlcjpwYXNzd29yZA==', 'dXNlcjpwYXNzd29yZA'],
  ['HGVS DNA substitution', 'variant c.123A>G found', 'c.123A>G'],
  ['HGVS deletion', 'has c.100_102delAGT', 'c.100_102delAGT'],
  ['HGVS insertion', 'has c.76_77insT here', 'c.76_77insT'],
  ['HGVS protein', 'protein p.Arg97Gly and p.Trp24*', 'p.Arg97Gly'],
  ['genomic coordinate', 'region chr17:41196312-41277500 sequenced', 'chr17:41196312-41277500'],
  ['coordinate at the start', 'chrX:100-200', 'chrX:100-200'],
  ['Bearer after a no-break space', 'auth Bearer\u00a0abcdefghijkl', 'abcdefghijkl'],
  ['GitLab token with dashes', 'using glpat-ab-cd-ef-gh-ij-kl-mn now', 'ab-cd-ef-gh-ij-kl-mn'],
  ['Slack token of short parts', 'xoxb-1234-5678-abcd', '1234-5678-abcd'],
  ['short JWT', 'jwt eyJhbGci.eyJzdWIi.c2ln', 'eyJzdWIi'],
  ['HGVS at the start', 'c.76A>T', 'c.76A>T']
]

t.test('each value pattern family redacts its positives', async t => {
  const s = new Sanitizer()
  for (const [family, input, secret] of POSITIVES) {
    const out = s.sanitizeString(input)
    t.notOk(out.includes(secret), `${family}: ${JSON.stringify(out)}`)
    t.match(out, /\[REDACTED/, `${family} leaves a marker`)
  }
})

const NEAR_MISSES = [
  'version 1.2.3 and v2.10.4-beta.1', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0.0.0 Safari/537.36',
  'id 550e8400-e29b-41d4-a716-446655440000', 'at 2026-11-28T13:44:12.123Z', 'file /usr/local/lib/node_modules/pino/lib/proto.js:42:7',
  'C:\\Users\\build\\app.js', 'fixed in commit 3f2a9c8e1b7d6a5f4e3c2b1a0f9e8d7c6b5a4f3e2d1c', 'sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  'the monkey ate a banana', 'keyboard shortcuts', 'ratio 3:4 at 10:30', 'https://example.com/path?q=1', 'user@localhost',
  'chapter c.12 in the book', 'plain words only', 'Basic plan', 'Bearer of news'
]

t.test('near misses survive untouched', async t => {
  const s = new Sanitizer()
  for (const text of NEAR_MISSES) t.equal(s.sanitizeString(text), text)
})

t.test('caps: depth, arrays, keys, strings; circular and shared references; binary', async t => {
  const s = new Sanitizer({ maxDepth: 3, maxArrayLength: 3, maxObjectKeys: 2, maxStringLength: 10 })
  t.same(s.sanitize({ a: { b: { c: { d: 1 } } } }), { a: { b: { c: '[MAX_DEPTH_EXCEEDED]' } } })
  t.same(s.sanitize([1, 2, 3, 4, 5]), [1, 2, 3, '[TRUNCATED 2 items]'])
  t.same(s.sanitize({ a: 1, b: 2, c: 3, d: 4 }), { a: 1, b: 2, _truncated_keys: 2 })
  t.equal(s.sanitizeString('0123456789abcdef'), '0123456789…[TRUNCATED 6 chars]')
  const loop: any = { name: 'x' }
  loop.self = loop
  t.same(s.sanitize(loop), { name: 'x', self: '[Circular]' })
  const shared = { v: 1 }
  t.same(s.sanitize({ a: shared, b: shared }), { a: { v: 1 }, b: { v: 1 } }, 'shared but not circular is kept twice')
  t.same(new Sanitizer().sanitize({ buf: Buffer.from('secret'), view: new Uint16Array(4), json: JSON.parse(JSON.stringify({ b: Buffer.from('abc') })) }),
    { buf: '[Buffer 6 bytes]', view: '[Uint16Array 8 bytes]', json: { b: '[Buffer 3 bytes]' } })
  t.same(new Sanitizer().sanitize({ n: NaN, i: Infinity, big: 10n, f: () => 1, sym: Symbol('x'), d: new Date(0), u: undefined, bad: new Date(NaN) }),
    { n: 'NaN', i: 'Infinity', big: '10', d: '1970-01-01T00:00:00.000Z', bad: 'Invalid Date' })
  t.match(new Sanitizer().sanitize(new TypeError('mail a@b.io')), { type: 'TypeError', message: 'mail [REDACTED_EMAIL]', stack: /TypeError/ })
})

t.test('a secret cut by the length cap is still redacted', async t => {
  const s = new Sanitizer({ maxStringLength: 40 })
  const out = s.sanitizeString('x'.repeat(30) + ' AKIAIOSFODNN7EXAMPLE and more text after it')
  t.notMatch(out, /AKIAIOSF/)
})

t.test('hostile keys stay data', async t => {
  const out = new Sanitizer().sanitize(JSON.parse('{"__proto__": {"polluted": true}, "constructor": 1}')) as Record<string, unknown>
  t.equal(({} as any).polluted, undefined)
  t.same(Object.keys(out), ['__proto__', 'constructor'])
  t.equal(Object.getPrototypeOf(out), Object.prototype)
})

t.test('rules are data: extra patterns as strings or objects; invalid ones fail at start-up', async t => {
  const s = new Sanitizer({ patterns: ['\\bORD-\\d{6}\\b', { pattern: 'patient (\\w+)', flags: 'i', replacement: 'patient [NAME]' }] })
  t.equal(s.sanitizeString('order ORD-123456 for Patient Smith'), 'order [REDACTED] for patient [NAME]')
  t.throws(() => new Sanitizer({ patterns: ['(unclosed'] }), /sanitize\.patterns\[0\] is not a valid regular expression/)
  t.throws(() => new Sanitizer({ patterns: [''] }), /sanitize\.patterns\[0\] must be a non-empty pattern/)
  t.throws(() => new Sanitizer({ patterns: 'x' as unknown as string[] }), /must be an array/)
  t.throws(() => new Sanitizer({ maxDepth: 0 }), /sanitize\.maxDepth must be a positive integer/)
  t.throws(() => new Sanitizer({ allowKeys: [1 as unknown as string] }), /sanitize\.allowKeys must be an array of non-empty strings/)
  t.throws(() => new Sanitizer(null as unknown as object), /must be an object/)
  t.same(structuredClone({ patterns: ['a'], allowKeys: ['b'] }), { patterns: ['a'], allowKeys: ['b'] }, 'options survive structured clone')
})
