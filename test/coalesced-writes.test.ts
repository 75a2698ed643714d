import { once } from 'node:events'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { mock } from 'node:test'
import pino from 'pino'
import t from 'tap'
import { COALESCE_CHARS, type CoalescableStream, coalesceWrites } from '../lib/app/coalesced-writes.js'
import { createLogger } from '../lib/app/create-logger.js'
import { range } from './support/db.js'

const RECORDER = fileURLToPath(new URL('./fixtures/chunk-recorder.mjs', import.meta.url))
const aMoment = (): Promise<void> => new Promise(resolve => setTimeout(resolve, 1))

t.test('lines logged a moment apart reach the worker a few writes at a time: all of them, in order', async t => {
  const dir = mkdtempSync(join(tmpdir(), 'curator-log-chunks-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  // The worker copies the environment when it starts.
  process.env.CHUNK_LOG = join(dir, 'chunks')
  t.teardown(() => { delete process.env.CHUNK_LOG })
  const logger = createLogger({ console: false, handleSignals: false, handleExceptions: false, transportTarget: RECORDER, database: { connectionString: 'postgres://unused' }, env: {} })
  await once((logger as unknown as Record<symbol, NodeJS.EventEmitter>)[pino.symbols.streamSym], 'ready')
  // A line each ms or so, as a busy server logs its requests: thread-stream alone wakes its worker for each.
  for (const seq of range(40)) {
    logger.info({ seq }, 'a line')
    await aMoment()
  }
  await logger.close()
  const writes = readFileSync(process.env.CHUNK_LOG, 'utf8').trim().split('\n').map(line => JSON.parse(line) as number[])
  t.same(writes.flat(), range(40), 'every line, once, in order')
  t.ok(writes.length <= 20, `40 lines in ${writes.length} writes to the worker`)
})

/** A stream that records what reaches it, in order. */
function recording (): CoalescableStream & { calls: string[], destroyed: boolean, writableEnded: boolean } {
  const calls: string[] = []
  return {
    calls,
    destroyed: false,
    writableEnded: false,
    write (data: string) { calls.push(`write ${data}`); return true },
    flush (cb: (err?: Error) => void) { calls.push('flush'); cb() },
    flushSync () { calls.push('flushSync') },
    end () { calls.push('end'); this.writableEnded = true }
  }
}

t.test('every way of flushing or ending hands the waiting lines over first', async t => {
  for (const how of ['flush', 'flushSync', 'end'] as const) {
    const stream = recording()
    coalesceWrites(stream, () => t.fail('nothing is refused'))
    stream.write('a\n')
    stream.write('b\n')
    t.same(stream.calls, [], `${how}: the lines wait`)
    if (how === 'flush') stream.flush(() => {})
    else stream[how]()
    t.same(stream.calls, ['write a\nb\n', how], `${how}: one write of both lines, then ${how}`)
  }
})

t.test('lines wait at most a few ms, or until 64 KiB have gathered', async t => {
  const stream = recording()
  coalesceWrites(stream, () => t.fail('nothing is refused'))
  stream.write('a\n')
  await new Promise(resolve => setTimeout(resolve, 50))
  t.same(stream.calls, ['write a\n'], 'handed over by the timer')
  const big = 'x'.repeat(COALESCE_CHARS)
  stream.write(big)
  t.same(stream.calls, ['write a\n', `write ${big}`], 'handed over at once')
})

t.test('a setTimeout faked by a test after the library loaded, then restored: the lines are handed over all along', async t => {
  const realWait = ((wait: typeof setTimeout) => (ms: number) => new Promise(resolve => wait(resolve, ms)))(setTimeout)
  const stream = recording()
  coalesceWrites(stream, () => t.fail('nothing is refused'))
  mock.timers.enable({ apis: ['setTimeout'] })
  t.teardown(() => mock.timers.reset())
  stream.write('a\n')
  await realWait(50)
  t.same(stream.calls, ['write a\n'], 'while setTimeout is faked')
  mock.timers.reset()
  stream.write('b\n')
  await realWait(50)
  t.same(stream.calls, ['write a\n', 'write b\n'], 'after the fake is reset')
})

t.test('an ending stream gets each line at once, to refuse it as before', async t => {
  const stream = recording()
  coalesceWrites(stream, () => t.fail('nothing is refused here'))
  stream.end()
  stream.write('late\n')
  t.same(stream.calls, ['end', 'write late\n'])
})

t.test('lines waiting when the worker is found gone go to the refused callback', async t => {
  const stream = recording()
  const refused: string[] = []
  coalesceWrites(stream, lines => refused.push(lines))
  stream.write('a\n')
  stream.write('b\n')
  stream.destroyed = true
  await new Promise(resolve => setTimeout(resolve, 50))
  t.same(stream.calls, [], 'nothing written to a destroyed stream')
  t.same(refused, ['a\nb\n'])
})
