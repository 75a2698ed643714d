import { spawn } from 'node:child_process'
import { getEventListeners, once } from 'node:events'
import { PassThrough } from 'node:stream'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import t from 'tap'
import { main } from '../lib/cli/main.js'
import { BIN } from './support/cli.js'
import { databaseUrl, freshTarget, transportLogger } from './support/db.js'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

t.test('a long tail keeps no listener per poll and a flat heap', async t => {
  const { target } = await freshTarget(t)
  const ac = new AbortController()
  const warnings: string[] = []
  const onWarning = (w: Error): void => { warnings.push(w.name) }
  process.on('warning', onWarning)
  t.teardown(() => { process.off('warning', onWarning) })
  const done = main(['tail', '--url', databaseUrl(), '--schema', target.schema, '--interval-ms', '10', '--json'], new PassThrough(), new PassThrough(), ac.signal)
  const heap = async (): Promise<number> => {
    await new Promise(resolve => setTimeout(resolve, 1500))
    gc()
    return process.memoryUsage().heapUsed
  }
  const early = await heap()
  let later = 0
  for (let i = 0; i < 4; i++) later = await heap()
  t.ok(getEventListeners(ac.signal, 'abort').length <= 2, `abort listeners after ~600 polls: ${getEventListeners(ac.signal, 'abort').length}`)
  ac.abort()
  t.equal(await done, 0)
  t.same(warnings, [], 'no MaxListenersExceededWarning')
  t.ok(later - early < 1_000_000, `heap grew ${later - early} bytes over 6 s of polls every 10 ms`)
})

t.test('the tail command: no warning while polling; SIGTERM ends it at once', async t => {
  const { target } = await freshTarget(t)
  const { logger, end } = await transportLogger(t, target)
  logger.info('already there')
  await end()
  const child = spawn(process.execPath, [BIN, 'tail', '--url', databaseUrl(), '--schema', target.schema, '--interval-ms', '10', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let err = ''
  child.stderr.on('data', d => { err += d })
  // Following once it has printed the last rows; then 3 s of polls every 10 ms.
  await once(child.stdout, 'data')
  await new Promise(resolve => setTimeout(resolve, 3000))
  const sent = Date.now()
  child.kill('SIGTERM')
  const [code] = await once(child, 'close')
  t.equal(code, 0)
  t.ok(Date.now() - sent < 5000, `ended ${Date.now() - sent} ms after SIGTERM`)
  t.equal(err, '', 'nothing on stderr')
})

t.test('tail | head -n 3: tail ends quietly once head is gone', async t => {
  const { target } = await freshTarget(t)
  const { logger, end } = await transportLogger(t, target, { flushIntervalMs: 10 })
  for (let i = 0; i < 10; i++) logger.info({ i }, 'before')
  await new Promise<void>((resolve, reject) => logger.flush(e => e ? reject(e) : resolve()))
  // A real pipeline; tail's own exit code and stderr come out on the shell's stderr.
  const command = `{ "${process.execPath}" "${BIN}" tail --url "$URL" --schema ${target.schema} --interval-ms 50 --json; echo "tail exited $?" >&2; } | head -n 3`
  const sh = spawn('sh', ['-c', command], { env: { ...process.env, URL: databaseUrl() }, stdio: ['ignore', 'pipe', 'pipe'] })
  let printed = ''
  let err = ''
  sh.stdout.on('data', d => { printed += d })
  sh.stderr.on('data', d => { err += d })
  // New rows keep coming, so tail has something to print after head is gone.
  const ticker = setInterval(() => logger.info('after head left'), 20)
  const started = Date.now()
  const [code] = await once(sh, 'close')
  clearInterval(ticker)
  await end()
  t.equal(code, 0)
  t.equal(printed.trim().split('\n').length, 3)
  t.equal(err, 'tail exited 0\n', 'tail ended by itself, with no EPIPE stack trace')
  t.ok(Date.now() - started < 15_000, `the pipeline ended in ${Date.now() - started} ms`)
})

for (const args of [['query', '--pretty'], ['query', '--json'], ['stats']]) {
  t.test(`${args.join(' ')} | head -n 1: ends quietly once head is gone`, async t => {
    const { target } = await freshTarget(t)
    const { logger, end } = await transportLogger(t, target)
    // Enough rows that the output outlasts head's pipe buffer.
    for (let i = 0; i < 3000; i++) logger.info({ i, pad: 'x'.repeat(100) }, 'row')
    await end()
    const command = `{ "${process.execPath}" "${BIN}" ${args.join(' ')} --url "$URL" --schema ${target.schema} ${args[0] === 'query' ? '--limit 3000' : ''}; echo "exited $?" >&2; } | head -n 1`
    const sh = spawn('sh', ['-c', command], { env: { ...process.env, URL: databaseUrl() }, stdio: ['ignore', 'pipe', 'pipe'] })
    let err = ''
    sh.stdout.resume()
    sh.stderr.on('data', d => { err += d })
    await once(sh, 'close')
    t.equal(err, 'exited 0\n', 'no EPIPE stack trace, exit 0')
  })
}
