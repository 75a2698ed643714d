// A stored line's context keys become field names in query and tail output: a key named `__proto__`
// (kept as data by the transport) must print as a field, neither vanish nor lend the line fields.
import t from 'tap'
import { bin } from './support/cli.js'
import { databaseUrl, freshTarget, transportLogger } from './support/db.js'

t.setTimeout(300_000)

t.test('query prints context keys named __proto__, constructor, toString as fields, in NDJSON and pretty', async t => {
  const { target } = await freshTarget(t)
  const { logger, end } = await transportLogger(t, target, {}, { name: 'web' })
  logger.info(JSON.parse('{"__proto__":{"user_id":"admin","polluted":"yes"},"constructor":{"x":1},"toString":"t","hasOwnProperty":1,"tenant":"acme"}'), 'hostile keys')
  await end()
  const args = ['query', '--url', databaseUrl(), '--schema', target.schema]

  const json = await bin([...args, '--json'])
  t.equal(json.code, 0, json.err)
  t.equal(json.err, '')
  const line = JSON.parse(json.out)
  t.ok(Object.hasOwn(line, '__proto__'), `__proto__ is printed: ${json.out}`)
  t.same(Object.getOwnPropertyDescriptor(line, '__proto__')?.value, { user_id: 'admin', polluted: 'yes' })
  t.same([line.constructor, line.toString, line.hasOwnProperty, line.tenant], [{ x: 1 }, 't', 1, 'acme'])
  t.notOk(Object.hasOwn(line, 'user_id') || Object.hasOwn(line, 'polluted'), 'no field lifted out of it')

  const pretty = await bin([...args, '--pretty'])
  t.equal(pretty.code, 0, pretty.err)
  // pino-pretty would drop a top-level __proto__: it is shown quoted. The others failed it.
  t.match(pretty.out, /"__proto__": \{[^}]*"polluted": "yes"/s, `pretty shows it: ${pretty.out}`)
  for (const field of [/constructor: \{\s*"x": 1\s*\}/, /toString: "t"/, /hasOwnProperty: 1/, /tenant: "acme"/]) t.match(pretty.out, field)
  t.notMatch(pretty.out, /^\s+user_id:/m, 'no user_id of its own')
})
