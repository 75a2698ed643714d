// Runs a command with DATABASE_URL pointing at a PostgreSQL: the given one, or a throwaway server
// started here and removed afterwards, whatever the command's outcome.
import { spawn } from 'node:child_process'
import { startThrowawayPostgres } from '../../lib/dev/throwaway-postgres.js'

const [command, ...args] = process.argv.slice(2)
if (!command) {
  console.error('usage: with-postgres <command> [args...]')
  process.exit(2)
}

let stop = async (): Promise<void> => {}
const env = { ...process.env }
if (!env.DATABASE_URL) {
  const pg = await startThrowawayPostgres({ postgresFlags: ['-c', 'fsync=off', '-c', 'max_connections=300'] })
  stop = () => pg.destroy()
  env.DATABASE_URL = pg.url
  console.error(`with-postgres: throwaway PostgreSQL on port ${pg.port}`)
}

const child = spawn(command, args, { stdio: 'inherit', env, shell: process.platform === 'win32' })
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => child.kill(sig))
const code: number = await new Promise(resolve => child.on('exit', (c, s) => resolve(c ?? (s ? 1 : 0))))
await stop()
process.exit(code)
