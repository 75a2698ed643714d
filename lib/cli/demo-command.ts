import { existsSync } from 'node:fs'
import { qualifiedTable } from '../core/identifiers.js'
import { migrate } from '../database/migrate.js'
import { transportEntry } from '../app/transport-entry.js'
import { runDemoTraffic } from './demo-app.js'
import { lineWriter } from './log-output.js'
import { describeServer, connectionConfig } from '../core/connection.js'
import { CONNECTION_OPTIONS, connectionHelp, CliError, UsageError, parse, targetFrom, withClient } from './args.js'

export const demoHelp = `curator-log demo [options]

Runs a small HTTP API instrumented with curator-log, sends it a burst of requests, and prints one
failed request's rows back from PostgreSQL. It writes a few thousand fake rows into a table of its own
(--table, default curator_log_demo) in the database that --url or DATABASE_URL names, creating the
table if needed, and leaves them there. It does not read the PG* variables: it writes only where it is
told to. In a clone of the repository (npm run demo), without --url or DATABASE_URL, it starts a
throwaway PostgreSQL instead and removes it afterwards; the installed package has no server of its own.

  --requests N     requests to send (default 2000)
${connectionHelp({ url: 'DATABASE_URL; not the PG* variables', table: 'curator_log_demo' })}`

/** The built transport: the worker thread loads plain JavaScript, also when this runs from source. */
function transportPath (): string {
  const p = transportEntry()
  if (!existsSync(p)) throw new CliError('the transport is not built: run npm run build')
  return p
}

export async function demoCommand (argv: string[], out: NodeJS.WritableStream): Promise<void> {
  const { values } = parse(argv, { ...CONNECTION_OPTIONS, table: { type: 'string', default: 'curator_log_demo' }, requests: { type: 'string', default: '2000' } })
  if (values.help) {
    out.write(demoHelp + '\n')
    return
  }
  const requests = Number(values.requests)
  if (!Number.isInteger(requests) || requests < 1) throw new UsageError(`--requests must be a positive integer, got ${values.requests}`)
  const target = targetFrom(values)
  const given = values.url ?? process.env.DATABASE_URL
  let url = given
  let cleanup = async (): Promise<void> => {}
  if (!url) {
    const server = await throwawayServer(() => out.write('no --url or DATABASE_URL: starting a throwaway PostgreSQL, removed when the demo ends...\n'))
    cleanup = () => server.destroy()
    url = server.url
    out.write(`throwaway PostgreSQL on port ${server.port}\n`)
  } else {
    out.write(`writing ${requests} requests' demo rows into ${target.schema}.${target.table} at ${describeServer(connectionConfig(url))}; they stay there afterwards\n`)
  }
  try {
    await withClient(url, { target, need: 'owner' }, async client => {
      const m = await migrate(client, target)
      out.write(`migrate: ${m.applied.length} applied, ${m.alreadyApplied.length} already there\n`)
      const run = await runDemoTraffic(url, target.schema, target.table, transportPath(), requests)
      out.write(`${requests} requests served in ${run.ms} ms; every log line committed through the worker transport\n\n`)
      await printBack(client, qualifiedTable(target), run.failedId, out)
      out.write(given
        ? `\nlook it up yourself: curator-log query --schema ${target.schema} --table ${target.table} --request-id ${run.failedId}\n` +
          `remove the demo's rows: DROP TABLE ${qualifiedTable(target)};\n`
        : '\nthe throwaway PostgreSQL is removed now; to keep the rows and look around, run the demo with DATABASE_URL set\n')
    })
  } finally {
    await cleanup()
  }
}

/** The development helper ships only in a clone of the repository, not in the npm package. */
async function throwawayServer (starting: () => void): Promise<{ url: string, port: number, destroy (): Promise<void> }> {
  const helper = '../dev/throwaway-postgres.js'
  let mod: typeof import('../dev/throwaway-postgres.js')
  try {
    mod = await import(helper)
  } catch {
    throw new CliError('no database given: set DATABASE_URL or pass --url (the throwaway PostgreSQL is only in a clone of the repository: npm run demo)')
  }
  starting()
  return await mod.startThrowawayPostgres()
}

async function printBack (client: import('pg').Client, table: string, requestId: string | null, out: NodeJS.WritableStream): Promise<void> {
  // By severity: the first row of each level depends on which of the COPY connections committed first.
  const levels = await client.query(`SELECT level, count(*)::int AS n FROM ${table} GROUP BY level ORDER BY array_position(ARRAY['trace', 'debug', 'info', 'warn', 'error', 'fatal'], level) NULLS LAST, level`)
  out.write('rows per level: ' + levels.rows.map(r => `${r.level}=${r.n}`).join(' ') + '\n\n')
  // Every column, shown as `curator-log query` shows rows: the column spec decides the fields.
  const r = await client.query(`SELECT * FROM ${table} WHERE request_id = $1 ORDER BY id`, [requestId])
  out.write(`the rows of request ${requestId} (it failed; secrets were redacted in the worker):\n`)
  r.rows.forEach(lineWriter(out, true))
}
