import { closeSync, openSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { MAX_DEPTH_EXCEEDED } from '../lib/sanitizer/sanitizer.js'
import { freshTarget, rows, transportLogger } from './support/db.js'

// Lines that once made the worker throw while turning them into rows: the worker exited, the app got
// an 'error' it had no listener for (and died), and every later line was lost. Whatever a line holds,
// it lands (or is dropped by level and counted) and the lines after it land too.

/** A value `depth` arrays deep, as JSON text. */
const deepArray = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth)
/** A value `depth` objects deep (`{"a":{"a":…}}`), as JSON text. */
const deepObject = (depth: number): string => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)

const HOSTILE: Array<[name: string, fields: string]> = [
  // A column's name and its Fastify or pino-http alias, the column holding what no String() converts.
  ['reqId beside a request_id object without toString', '"reqId":1,"request_id":{"toString":1}'],
  ['responseTime beside a duration_ms object without toString', '"responseTime":1,"duration_ms":{"toString":null}'],
  ['reqId beside a request_id array of such objects', '"reqId":"a","request_id":[{"toString":0,"valueOf":0}]'],
  // Nesting far beyond the sanitizer's depth, where it is written out before being sanitized.
  ['err 20 000 arrays deep', `"err":${deepArray(20_000)}`],
  ['err.message 12 000 objects deep', `"err":{"type":"Error","message":${deepObject(12_000)}}`],
  ['error 20 000 arrays deep', `"error":${deepArray(20_000)}`],
  ['a field 8 000 arrays deep (printed to the console too)', `"payload":${deepArray(8_000)}`]
]

t.test('lines whose fields no row mapper expected: each lands, and so do the lines after it', async t => {
  const { target, client } = await freshTarget(t)
  const printed = join(t.testdir(), 'console.jsonl')
  const fd = openSync(printed, 'w')
  // The console output closes its destination when the transport ends; this is for a test that fails first.
  t.teardown(() => { try { closeSync(fd) } catch {} })
  const { stream, end } = await transportLogger(t, target, { console: { destination: fd } })
  let error: Error | undefined
  stream.on('error', (err: Error) => { error = err })
  const now = Date.now()
  const lines = [`{"level":30,"time":${now},"msg":"before"}`]
  for (const [name, fields] of HOSTILE) lines.push(`{"level":50,"time":${now},"msg":${JSON.stringify(name)},${fields}}`, `{"level":30,"time":${now},"msg":"after ${name}"}`)
  stream.write(lines.join('\n') + '\n')
  await end()
  t.equal(error, undefined, 'the transport stream reported no error')

  const got = await rows<Record<string, any>>(client, target)
  t.same(got.map(r => r.message), ['before', ...HOSTILE.flatMap(([name]) => [name, `after ${name}`])], 'every line landed, once, in order')
  const by = new Map(got.map(r => [r.message, r]))
  t.match(by.get(HOSTILE[0][0]), { request_id: null, context: { reqId: 1, request_id: { toString: 1 } } }, 'a value of no column type stays in context, beside its alias')
  t.match(by.get(HOSTILE[1][0]), { duration_ms: null, context: { responseTime: 1, duration_ms: { toString: null } } })
  for (const [name] of HOSTILE.slice(3, 6)) {
    t.match(by.get(name)?.error_message, MAX_DEPTH_EXCEEDED, `${name}: error_message cut at the sanitizer's depth`)
    t.ok(by.get(name)?.error_message.length < 1000, `${name}: error_message short`)
  }
  t.same(by.get(HOSTILE[6][0])?.context.payload, [[[[MAX_DEPTH_EXCEEDED]]]], 'a deep field cut at the sanitizer\'s depth (the context is its first level)')

  const consoleLines = readFileSync(printed, 'utf8').trim().split('\n').map(l => JSON.parse(l) as { msg: string })
  t.same(consoleLines.map(l => l.msg), got.map(r => r.message), 'the console printed every line too')
})

t.test('lines pino-pretty cannot print: printed as JSON instead, stored as mapped, every secret redacted in both', async t => {
  const { target, client } = await freshTarget(t)
  const printed = join(t.testdir(), 'console.txt')
  const fd = openSync(printed, 'w')
  t.teardown(() => { try { closeSync(fd) } catch {} })
  const { stream, end } = await transportLogger(t, target, { console: { destination: fd, pretty: true, colorize: false } })
  const now = Date.now()
  // Values the key rules catch (no text rule does): a printer's failure must not decide what is stored.
  const secrets = '"refresh_tokens":["rt-9f8e7d6c5b4a"],"user_passwords":{"old":"hunter2old"},"apiKeys":{"stripe":"abc-live-123"},"session_cookie_value":"s3cr3tcookie"'
  const odd = [['a fractional level', '30.5'], ['an object level', '{"value":30}'], ['a string level that names no level', '"loud"']]
  const lines = [`{"level":30,"time":${now},"msg":"before",${secrets}}`]
  for (const [name, level] of odd) lines.push(`{"level":${level},"time":${now},"msg":${JSON.stringify(name)},${secrets}}`)
  stream.write(lines.join('\n') + '\n')
  await end()

  const got = await rows<Record<string, any>>(client, target)
  t.same(got.map(r => r.message), ['before', ...odd.map(([name]) => name)], 'each line landed as its own record, in order')
  for (const r of got) {
    t.notOk(r.context.parse_error, `${r.message}: mapped, not stored as text`)
    t.same(r.context.refresh_tokens, '[REDACTED]', `${r.message}: key rules applied`)
  }
  const stored = JSON.stringify(got)
  const console = readFileSync(printed, 'utf8')
  for (const secret of ['rt-9f8e7d6c5b4a', 'hunter2old', 'abc-live-123', 's3cr3tcookie']) {
    t.notOk(stored.includes(secret), `${secret} is not stored`)
    t.notOk(console.includes(secret), `${secret} is not printed`)
  }
  for (const [name] of [['before'], ...odd]) t.equal(console.split(name).length - 1, 1, `"${name}" printed once`)
})
