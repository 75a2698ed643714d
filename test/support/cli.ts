import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { PassThrough } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { main } from '../../lib/cli/main.js'

export const BIN = fileURLToPath(new URL('../../dist/lib/cli/main.js', import.meta.url))

/** Runs the command line in-process; resolves with its exit code and output. */
export async function cli (...argv: string[]): Promise<{ code: number, out: string, err: string }> {
  const out = new PassThrough()
  const err = new PassThrough()
  let o = ''
  let e = ''
  out.on('data', d => { o += d })
  err.on('data', d => { e += d })
  const code = await main(argv, out, err)
  return { code, out: o, err: e }
}

/** Runs the built binary (dist/, built by npm test) as a user would; resolves with its exit code and output. */
export async function bin (argv: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number | null, out: string, err: string }> {
  const child = spawn(process.execPath, [BIN, ...argv], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout.on('data', d => { out += d })
  child.stderr.on('data', d => { err += d })
  const [code] = await once(child, 'close') as [number | null]
  return { code, out, err }
}
