import t, { type Test } from 'tap'
import { freshTarget, transportLogger } from './support/db.js'
import { attackString, plainLogText } from './support/attack-strings.js'

// Finding 1 of the attacker review through the real worker: 64 KiB messages of repeated cookie and
// authorization names cost seconds each while the rule rescanned, and a process exiting meanwhile lost
// its rows. Timed against as many plain 64 KiB messages written the same way (a ratio: the machine is shared).
const LONG = 65536
const COUNT = 4

async function write (t: Test, messages: string[]): Promise<{ ms: number, rows: Array<{ message: string }> }> {
  const { target, client } = await freshTarget(t)
  const { logger, end } = await transportLogger(t, target)
  const start = process.hrtime.bigint()
  messages.forEach((m, seq) => logger.info({ seq }, m))
  await end()
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  const r = await client.query(`SELECT message FROM "${target.schema}".system_logs ORDER BY (context->>'seq')::int`)
  return { ms, rows: r.rows }
}

t.test('repeated cookie and authorization names reach the table about as fast as plain text', async t => {
  const poison = ['cookie=', 'x_authorization=', 'Set-Cookie=', 'HTTP_COOKIE=sid='].map(u => attackString(u, LONG))
  const plain = await write(t, Array.from({ length: COUNT }, () => plainLogText(LONG)))
  const attacked = await write(t, poison)
  t.comment(`plain ${plain.ms.toFixed(0)} ms, attacked ${attacked.ms.toFixed(0)} ms for ${COUNT} messages of 64 KiB`)
  t.equal(attacked.rows.length, COUNT, 'every message is a row')
  t.equal(attacked.rows[0]!.message, 'cookie=[REDACTED]', 'the value after the first name is redacted whole')
  t.equal(attacked.rows[1]!.message, 'x_authorization=[REDACTED]', 'a bare authorization value after a prefixed name too')
  // Quadratic: seconds per message, tens of times the plain run; linear: about the same.
  t.ok(attacked.ms <= 5 * plain.ms + 1000, `attacked ${(attacked.ms / plain.ms).toFixed(1)}x plain`)
})
