import { type ChildProcess, spawn } from 'node:child_process'
import { cpSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { freePort } from '../lib/dev/throwaway-postgres.js'
import { ROOT, consumerDir } from './support/consumer.js'
import { databaseUrl, freshTarget } from './support/db.js'

const EXAMPLE = join(ROOT, 'examples/nestjs')
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

function run (cmd: string, args: string[], cwd: string, env: Record<string, string> = {}): { child: ChildProcess, done: Promise<{ code: number | null, signal: string | null, out: string }> } {
  // `env -u NODE_OPTIONS`: tap's loaders stay out of the example, as in production.
  const child = spawn('env', ['-u', 'NODE_OPTIONS', cmd, ...args], { cwd, env: { ...process.env, ...env } })
  let out = ''
  child.stdout!.on('data', d => { out += d })
  child.stderr!.on('data', d => { out += d })
  const done = new Promise<{ code: number | null, signal: string | null, out: string }>(resolve => child.on('exit', (code, signal) => resolve({ code, signal, out })))
  Object.defineProperty(child, 'output', { get: () => out })
  return { child, done }
}

t.test('NestJS 11 example (experimentalDecorators, nestjs-pino): compiles with tsc, and its rows carry request ids and timing lines', async t => {
  const { target, client } = await freshTarget(t)
  const dir = consumerDir(t)
  for (const f of ['src', 'tsconfig.json', 'package.json']) cpSync(join(EXAMPLE, f), join(dir, f), { recursive: true })
  for (const dep of ['@nestjs', '@types', 'nestjs-pino', 'pino-http', 'reflect-metadata', 'rxjs']) symlinkSync(join(ROOT, 'node_modules', dep), join(dir, 'node_modules', dep), 'dir')

  const tsc = await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], dir).done
  t.equal(tsc.code, 0, `tsc compiles the example:\n${tsc.out}`)
  if (tsc.code !== 0) return

  const port = await freePort()
  const app = run(process.execPath, ['dist/main.js'], dir, { DATABASE_URL: databaseUrl(), LOG_SCHEMA: target.schema, PORT: String(port) })
  t.teardown(() => { app.child.kill('SIGKILL') })
  const started = await Promise.race([
    new Promise<boolean>(resolve => app.child.stdout!.on('data', () => { if (/"msg":"listening"/.test((app.child as unknown as { output: string }).output)) resolve(true) })),
    app.done.then(() => false)
  ])
  t.ok(started, `the app starts:\n${(app.child as unknown as { output: string }).output}`)
  if (!started) return

  const ids: string[] = []
  for (const order of ['7', '8']) {
    const r = await fetch(`http://127.0.0.1:${port}/orders/${order}`)
    t.same(await r.json(), { id: order, total: 12 }, 'the route @Get declared still answers under @apiEndpoint')
    ids.push(r.headers.get('x-request-id')!)
  }
  app.child.kill('SIGTERM')
  const exit = await app.done
  t.equal(exit.signal, 'SIGTERM', exit.out)

  const rows = (await client.query(`SELECT request_id, path, message, duration_ms, context FROM "${target.schema}".system_logs ORDER BY id`)).rows
  for (const [n, id] of ids.entries()) {
    t.match(id, UUID)
    const mine = rows.filter(r => r.request_id === id)
    const path = `/orders/${n === 0 ? '7' : '8'}`
    t.same(mine.map(r => r.message).sort(), ['loading order', 'operation completed: SELECT load', 'operation completed: get-order', `request completed: GET ${path}`], `request ${n + 1}: its lines`)
    t.ok(mine.every(r => r.path === path), 'each on its own path')
    t.match(mine.find(r => r.message === 'operation completed: get-order'), { duration_ms: Number, context: { endpoint: 'get-order', operation: 'get-order' } })
    t.match(mine.find(r => r.message === 'operation completed: SELECT load'), { context: { query_type: 'SELECT' } })
    t.match(mine.find(r => r.message === 'loading order'), { request_id: id, context: { order_id: String(7 + n) } }) // nestjs-pino's reqId is that id: not repeated in context
  }
})
