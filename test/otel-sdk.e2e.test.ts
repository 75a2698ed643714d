import { spawn } from 'node:child_process'
import { copyFileSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import t, { type Test } from 'tap'
import { ROOT, consumerDir } from './support/consumer.js'
import { freshTarget } from './support/db.js'

// The real OpenTelemetry SDK in a service process of its own (instrumentation is registered before
// pino and node:http load): a request's rows carry its trace, and each row the span it was written in.
const SERVER = 1
const TRACES = ['4bf92f3577b34da6a3ce929d0e0e4736', '0af7651916cd43dd8448eb211c80319c', 'a3ce929d0e0e47364bf92f3577b34da6']
const CALLER = '00f067aa0ba902b7'

interface Span { name: string, kind: number, traceId: string, spanId: string, parentSpanId?: string }

async function service (t: Test, schema: string, env: Record<string, string>): Promise<{ base: string, stop: () => Promise<Span[]> }> {
  const dir = consumerDir(t)
  symlinkSync(join(ROOT, 'node_modules', '@opentelemetry'), join(dir, 'node_modules', '@opentelemetry'), 'dir')
  for (const f of ['otel-setup.mjs', 'otel-app.mjs']) copyFileSync(join(ROOT, 'test/fixtures', f), join(dir, f))
  // Without tap's NODE_OPTIONS loaders: a plain node process, as in production.
  const child = spawn('env', ['-u', 'NODE_OPTIONS', process.execPath, '--import', './otel-setup.mjs', 'otel-app.mjs'],
    { cwd: dir, env: { ...process.env, SCHEMA: schema, ...env }, stdio: ['pipe', 'pipe', 'inherit'] })
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
  const first = await lines.next()
  const { port } = JSON.parse(first.value)
  return {
    base: `http://127.0.0.1:${port}`,
    stop: async () => {
      child.stdin.end()
      const last = await lines.next()
      return JSON.parse(last.value).spans
    }
  }
}

for (const pinoInstrumented of [true, false]) {
  t.test(`SDK, http instrumentation${pinoInstrumented ? ' and instrumentation-pino' : ' alone'}: every row carries the request's trace and the span it was written in`, async t => {
    const { target, client } = await freshTarget(t)
    const app = await service(t, target.schema, { OTEL_PINO: pinoInstrumented ? '1' : '0' })
    const ids: Array<{ requestId: string, trace?: string }> = []
    for (const trace of [...TRACES, undefined]) {
      const r = await fetch(app.base + '/work', { headers: trace === undefined ? {} : { traceparent: `00-${trace}-${CALLER}-01` } })
      t.equal(await r.text(), 'ok')
      ids.push({ requestId: r.headers.get('x-request-id')!, trace })
    }
    const spans = await app.stop()
    const { rows } = await client.query(`SELECT message, request_id, trace_id, span_id, trace_flags, path, context FROM "${target.schema}".system_logs ORDER BY id`)
    for (const { requestId, trace } of ids) {
      const mine = rows.filter(r => r.request_id === requestId)
      t.same(mine.map(r => r.message), ['request started', 'handler start', 'handler after await', 'in child span', 'handler end', 'request completed: GET /work'], 'every line of the request')
      const server = spans.find(s => s.kind === SERVER && mine[0]?.trace_id === s.traceId)
      t.ok(server, 'the exporter recorded the server span of the rows\' trace')
      if (trace !== undefined) t.equal(server?.traceId, trace, 'the traceparent\'s trace')
      if (trace !== undefined) t.equal(server?.parentSpanId, CALLER, 'whose parent is the caller')
      const child = spans.find(s => s.name === 'child work' && s.parentSpanId === server?.spanId)
      t.ok(mine.every(r => r.trace_id === server?.traceId && r.trace_flags === 1), 'one trace id on every row')
      t.same(mine.map(r => r.span_id), mine.map(r => r.message === 'in child span' ? child?.spanId : server?.spanId), 'each row\'s span: the server span, or the child span it was written in')
      t.ok(mine.every(r => r.path === '/work' && !('trace_id' in r.context) && !('span_id' in r.context)), 'the context reaches every line; the ids are in columns only')
      t.same(mine.map(r => r.context.order_id), [undefined, undefined, 7, 7, 7, 7], 'fields bound in the handler reach the lines after it')
    }
  })
}
