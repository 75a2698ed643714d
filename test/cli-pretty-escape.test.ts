import t from 'tap'
import { cli } from './support/cli.js'
import { databaseUrl, freshTarget, transportLogger } from './support/db.js'

t.test('query --pretty: a newline, ESC or line separator in a stored line prints escaped, on its own line', async t => {
  const { target } = await freshTarget(t)
  const { logger, end } = await transportLogger(t, target, {}, { name: 'web' })
  logger.warn({ request_id: 'r1', 'evil\nname': 1, note: 'n\u009b31m' }, 'ok\n[2026-01-01 00:00:00.000 +0000] INFO (web): forged\u001b[2J\u2028x')
  logger.error({ request_id: 'r1', err: Object.assign(new Error('boom\rFATAL forged'), { stack: 'Error: boom\rFATAL forged\n    at \u001b[31mred' }) }, 'failed')
  await end()
  const r = await cli('query', '--url', databaseUrl(), '--schema', target.schema, '--pretty')
  t.equal(r.code, 0, r.err)
  // eslint-disable-next-line no-control-regex
  const plain = r.out.replace(/\u001b\[\d+m/g, '')
  // eslint-disable-next-line no-control-regex
  t.notMatch(plain, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/, 'only the colours pino-pretty adds, and line breaks')
  const atMargin = plain.split('\n').filter(l => l !== '' && !l.startsWith(' '))
  t.equal(atMargin.length, 2, 'one line per stored row')
  t.match(atMargin[0], /WARN.*\(web\/\d+\): ok\\n\[2026-01-01 00:00:00.000 \+0000\] INFO \(web\): forged\\u001b\[2J\\u2028x$/)
  t.match(plain, /evil\\nname: 1/)
  t.match(plain, /note: "n\\u009b31m"/)
  t.match(plain, /Error: boom\\rFATAL forged/)
})
