// The Roles section of docs/operations.md, run as written: the statements come from the document, so
// it cannot drift from what works.
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import t, { type Test } from 'tap'
import { bin } from './support/cli.js'
import { ROOT } from './support/consumer.js'
import { databaseUrl, endStream, transportLogger } from './support/db.js'
import { debianPostgres } from './support/debian-postgres.js'

// Each test starts the built binary (or npm, or a server) several times: minutes on a loaded machine.
t.setTimeout(600_000)

/** The section's ```sql and ```sh blocks, in order. */
function rolesSection (): { superuser: string, migrate: string, grants: string } {
  const doc = readFileSync(join(ROOT, 'docs/operations.md'), 'utf8')
  const section = /^## Roles\n([\s\S]*?)^## /m.exec(doc)?.[1] ?? ''
  const blocks = [...section.matchAll(/^```(sql|sh)\n([\s\S]*?)^```$/gm)].map(m => ({ lang: m[1], text: m[2] }))
  if (blocks.map(b => b.lang).join() !== 'sql,sh,sql') throw new Error(`docs/operations.md Roles: expected sql, sh, sql blocks, found ${blocks.map(b => b.lang).join()}`)
  return { superuser: blocks[0].text, migrate: blocks[1].text, grants: blocks[2].text }
}

async function as (url: string, sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: url })
  await c.connect()
  try {
    await c.query(sql)
  } finally {
    await c.end()
  }
}

function asRole (url: string, role: string, password: string): string {
  const u = new URL(url)
  u.username = role
  u.password = password
  return u.toString()
}

async function rolesAsDocumented (t: Test, serverUrl: string): Promise<void> {
  const doc = rolesSection()
  // Role names are global to the server: the test's own, the document's everywhere else.
  const id = randomBytes(3).toString('hex')
  const names: Record<string, string> = { log_owner: `log_owner_${id}`, log_writer: `log_writer_${id}`, log_reader: `log_reader_${id}`, logs: `logs_${id}` }
  const local = (text: string): string => text.replace(/\b(log_owner|log_writer|log_reader|logs)\b/g, n => names[n])
  const schema = names.logs
  const password = (role: string): string => new RegExp(`CREATE ROLE ${role} LOGIN PASSWORD '([^']+)'`).exec(doc.superuser)?.[1] ?? ''
  const owner = asRole(serverUrl, names.log_owner, password('log_owner'))
  const writer = asRole(serverUrl, names.log_writer, password('log_writer'))
  const reader = asRole(serverUrl, names.log_reader, password('log_reader'))
  t.teardown(() => as(serverUrl, `DROP SCHEMA IF EXISTS ${schema} CASCADE; DROP ROLE IF EXISTS ${names.log_owner}, ${names.log_writer}, ${names.log_reader}`))

  await as(serverUrl, local(doc.superuser))
  // The shell block's command line, with the owner's URL.
  const argv = /npx curator-log (.*)$/m.exec(local(doc.migrate))?.[1].split(/\s+/) ?? []
  t.same(argv, ['migrate', '--schema', schema], 'the document migrates with --schema')
  const migrate = await bin(argv, { DATABASE_URL: owner })
  t.equal(migrate.code, 0, migrate.err)
  t.equal(migrate.err, '', 'migrate as the owner: no error')
  await as(owner, local(doc.grants))

  const target = { schema, table: 'system_logs' }
  const { logger, stream } = await transportLogger(t, target, { maintenance: false }, {}, writer)
  for (let i = 0; i < 3; i++) logger.info({ i }, `written by the writer ${i}`)
  await endStream(stream)

  const read = await bin(['query', '--schema', schema, '--json'], { DATABASE_URL: reader })
  t.equal(read.code, 0, read.err)
  t.same(read.out.trim().split('\n').map(l => JSON.parse(l).msg), [0, 1, 2].map(i => `written by the writer ${i}`), 'the reader reads what the writer wrote')
  const stats = await bin(['stats', '--schema', schema], { DATABASE_URL: reader })
  t.equal(stats.code, 0, stats.err)
  t.match(stats.out, /total rows 3/)

  const writerReads = await bin(['query', '--schema', schema], { DATABASE_URL: writer })
  t.equal(writerReads.code, 1)
  t.equal(writerReads.err, `curator-log query: permission denied (permission denied for table system_logs): as the table's owner run GRANT USAGE ON SCHEMA "${schema}" TO ${names.log_writer}; GRANT SELECT ON "${schema}"."system_logs" TO ${names.log_writer}\n`)
  const readerMigrates = await bin(['migrate', '--schema', schema], { DATABASE_URL: reader })
  t.equal(readerMigrates.code, 1)
  t.match(readerMigrates.err, /^curator-log migrate: permission denied \(.*\): run migrate and maintain as the role that owns the log table \(see docs\/operations\.md, Roles\)\n$/)
  // Partitions are DDL that no grant allows: the writer and the reader are told to run it as the owner,
  // not given GRANTs they already hold, and nothing changes.
  const partitions = (): Promise<string[]> => bin(['stats', '--schema', schema], { DATABASE_URL: owner }).then(r => r.out.match(/^system_logs_\d{4}_\d{2}\b/gm) ?? [])
  const before = await partitions()
  t.equal(before.length, 4, 'migrate made four partitions')
  for (const [who, url] of [['writer', writer], ['reader', reader]]) {
    for (const dryRun of [[], ['--dry-run']]) {
      const r = await bin(['maintain', '--schema', schema, ...dryRun], { DATABASE_URL: url })
      t.equal(r.code, 1, `maintain ${dryRun} as the ${who}`)
      t.match(r.err, /^curator-log maintain: permission denied \(permission denied for [^)]*\): run migrate and maintain as the role that owns the log table \(see docs\/operations\.md, Roles\)\n$/, `maintain ${dryRun} as the ${who}`)
      t.notMatch(r.err, /GRANT/, `maintain ${dryRun} as the ${who}: no grant to run`)
      t.equal(r.out, '')
    }
  }
  t.same(await partitions(), before, 'no partition made or dropped')
  const maintain = await bin(['maintain', '--schema', schema], { DATABASE_URL: owner })
  t.equal(maintain.code, 0, maintain.err)
  const again = await bin(argv, { DATABASE_URL: owner })
  t.match(again.out, /is up to date/)
}

t.test('the roles of docs/operations.md on the shared server', t => rolesAsDocumented(t, databaseUrl()))

t.test('the roles of docs/operations.md on PostgreSQL 15', async t => {
  const server = await debianPostgres(t, 15)
  if (!server) return t.skip('no /usr/lib/postgresql/15/bin, or not root', () => {})
  await rolesAsDocumented(t, server.url)
})
