import { execFile } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'
import type { Test } from 'tap'
import { freePort } from '../../lib/dev/throwaway-postgres.js'

const run = promisify(execFile)

/**
 * A PostgreSQL of an older major from Debian's packages (/usr/lib/postgresql/<major>/bin), run as the
 * postgres user, removed when the test ends; undefined when those binaries (or root, to switch user)
 * are not there.
 */
export async function debianPostgres (t: Test, major: number): Promise<{ url: string } | undefined> {
  const bin = `/usr/lib/postgresql/${major}/bin`
  if (!existsSync(join(bin, 'initdb')) || process.getuid?.() !== 0) return undefined
  const dir = mkdtempSync(join(tmpdir(), `curator-log-pg${major}-`))
  const { uid, gid } = await ids('postgres')
  chownSync(dir, uid, gid)
  const as = (cmd: string, ...args: string[]) => run('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args], { cwd: dir })
  const data = join(dir, 'data')
  await as('initdb', '-D', data, '-U', 'postgres', '--auth-local=trust', '--auth-host=scram-sha-256')
  const port = await freePort()
  await as('pg_ctl', '-D', data, '-l', join(dir, 'log'), '-w', '-o', `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir} -c fsync=off`, 'start')
  t.teardown(async () => {
    await as('pg_ctl', '-D', data, '-m', 'immediate', 'stop').catch(() => {})
    rmSync(dir, { recursive: true, force: true })
  })
  // Over the socket (trust) give the superuser the password the TCP URL carries.
  const admin = new pg.Client({ host: dir, port, user: 'postgres', database: 'postgres' })
  await admin.connect()
  await admin.query("ALTER ROLE postgres PASSWORD 'postgres'")
  await admin.end()
  return { url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres` }
}

async function ids (user: string): Promise<{ uid: number, gid: number }> {
  const [uid, gid] = await Promise.all([run('id', ['-u', user]), run('id', ['-g', user])])
  return { uid: Number(uid.stdout), gid: Number(gid.stdout) }
}
