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
  // A real pipeline; tail's own exit code and stderr come out on the shell's stderr, and so does the
  // moment head leaves: how long tail takes to start is the machine's load, not what is tested.
  const command = `{ "${process.execPath}" "${BIN}" tail --url "$URL" --schema ${target.schema} --interval-ms 50 --json; echo "tail exited $?" >&2; } | { head -n 3; echo "head left" >&2; }`
  const sh = spawn('sh', ['-c', command], { env: { ...process.env, URL: databaseUrl() }, stdio: ['ignore', 'pipe', 'pipe'] })
  let printed = ''
  let err = ''
  let headLeft = 0
  let tailExited = 0
  sh.stdout.on('data', d => { printed += d })
  sh.stderr.on('data', d => {
    err += d
    if (headLeft === 0 && err.includes('head left')) headLeft = Date.now()
    if (tailExited === 0 && err.includes('tail exited')) tailExited = Date.now()
  })
  // New rows keep coming, so tail has something to print after head is gone.
  const ticker = setInterval(() => logger.info('after head left'), 20)
  const hung = setTimeout(() => sh.kill('SIGKILL'), 120_000)
  const [code] = await once(sh, 'close')
  clearTimeout(hung)
  clearInterval(ticker)
  await end()
  t.equal(code, 0)
  t.equal(printed.trim().split('\n').length, 3)
  t.same(err.split('\n').filter(Boolean).sort(), ['head left', 'tail exited 0'], 'tail ended by itself, with no EPIPE stack trace')
  // Rows commit every 20 ms and tail looks every 50 ms: it prints, and meets the closed pipe, at once.
  t.ok(tailExited - headLeft < 10_000, `tail ended ${tailExited - headLeft} ms after head left`)
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
