import { PassThrough } from 'node:stream'
import { main } from '../../lib/cli/main.js'

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
