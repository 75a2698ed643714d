import t from 'tap'
import { freshTarget, transportLogger } from './support/db.js'

// A level or time the columns cannot take as written still lands whole: a level that is no number or
// text stays in context, a number's digits are kept, and a logged original_time is not overwritten.
t.test('levels and times that no column takes as written reach the table whole', async t => {
  const { target, client } = await freshTarget(t)
  const { stream, end } = await transportLogger(t, target)
  const now = Date.now()
  const lines = [
    // pino's own leading members
    '{"level":30,"time":123456789012345678901234567890,"seq":0,"msg":"huge time"}',
    `{"level":12345678901234567890,"time":${now},"seq":1,"msg":"huge level"}`,
    `{"level":40.0,"time":${now},"seq":2,"msg":"level written 40.0"}`,
    '{"level":30,"time":1e400,"seq":3,"msg":"time past a double"}',
    // another producer's lines: level and time later in the line
    '{"seq":4,"msg":"null level","level":null}',
    '{"seq":5,"msg":"boolean level","level":true}',
    '{"seq":6,"msg":"object level","level":{"name":"warn"}}',
    '{"seq":7,"msg":"array level","level":[50]}',
    '{"seq":8,"msg":"empty level","level":""}',
    '{"seq":9,"msg":"long decimal level","level":35.500000000000000001}',
    '{"seq":10,"msg":"app time field","time":98765432109876543210987,"level":"warn"}',
    // a field of the name the worker keeps a restamped time under
    '{"level":30,"time":946684800000,"original_time":"as the app logged it","seq":11,"msg":"old, with its own original_time"}',
    '{"level":30,"time":946684800000,"original_time":1,"original_time#2":2,"seq":12,"msg":"both names taken"}'
  ]
  for (const line of lines) stream.write(line + '\n')
  await end()
  const got = (await client.query(`SELECT level, context FROM "${target.schema}".system_logs ORDER BY (context->>'seq')::int`)).rows
  t.equal(got.length, lines.length, 'every line landed')
  // Compared as jsonb, in PostgreSQL: numeric equality, so every digit counts.
  const expected: Array<[string, string]> = [
    ['info', '{"seq": 0, "original_time": 123456789012345678901234567890}'],
    ['12345678901234567890', '{"seq": 1}'],
    ['warn', '{"seq": 2}'],
    ['info', '{"seq": 3, "original_time": 1e400}'],
    ['info', '{"seq": 4, "level": null}'],
    ['info', '{"seq": 5, "level": true}'],
    ['info', '{"seq": 6, "level": {"name": "warn"}}'],
    ['info', '{"seq": 7, "level": [50]}'],
    ['info', '{"seq": 8, "level": ""}'],
    ['35.500000000000000001', '{"seq": 9}'],
    ['warn', '{"seq": 10, "original_time": 98765432109876543210987}'],
    ['info', '{"seq": 11, "original_time": "as the app logged it", "original_time#2": 946684800000}'],
    ['info', '{"seq": 12, "original_time": 1, "original_time#2": 2, "original_time#3": 946684800000}']
  ]
  for (const [i, [level, context]] of expected.entries()) {
    t.equal(got[i]?.level, level, `seq ${i}: level`)
    const same = await client.query(`SELECT context = $2::jsonb AS same, context::text AS found FROM "${target.schema}".system_logs WHERE context->>'seq' = $1`, [String(i), context])
    t.ok(same.rows[0]?.same, `seq ${i}: context ${context}`, { found: same.rows[0]?.found })
  }
})

t.test('a level written the long way counts as its number for databaseLevel', async t => {
  const { target, client } = await freshTarget(t)
  const { stream, end } = await transportLogger(t, target, { databaseLevel: 'warn' })
  stream.write(`{"level":40.0,"time":${Date.now()},"msg":"warn as 40.0"}\n`)
  stream.write(`{"level":30.0,"time":${Date.now()},"msg":"info as 30.0"}\n`)
  stream.write('{"msg":"fatal as 6e1, another producer\'s line","level":6e1}\n')
  await end()
  const got = (await client.query(`SELECT level, message FROM "${target.schema}".system_logs ORDER BY id`)).rows
  t.same(got, [{ level: 'warn', message: 'warn as 40.0' }, { level: 'fatal', message: 'fatal as 6e1, another producer\'s line' }])
})
