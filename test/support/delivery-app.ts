import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Test } from 'tap'
import { consumerDir, runFixture } from './consumer.js'
import { databaseUrl } from './db.js'

/**
 * Runs test/fixtures/delivery-app.mjs in a consumer folder; `out` is what it wrote to its OUT file,
 * `ms` the wall time it took.
 */
export async function runApp (t: Test, env: Record<string, string>) {
  const dir = consumerDir(t)
  const OUT = join(dir, 'out.txt')
  const started = Date.now()
  const run = await runFixture(dir, 'delivery-app.mjs', { DATABASE_URL: databaseUrl(), OUT, ...env })
  const ms = Date.now() - started
  let out = ''
  try { out = readFileSync(OUT, 'utf8') } catch {}
  return { ...run, out, ms }
}

/** The seqs the fixture reports it logged (each one after logger.info returned). */
export function logged (out: string): number[] {
  return [...out.matchAll(/^seq (\d+)( \d+)?$/gm)].map(m => Number(m[1]))
}

/** When each seq was logged (epoch ms), for the lines the fixture wrote with their time. */
export function loggedAt (out: string): Map<number, number> {
  return new Map([...out.matchAll(/^seq (\d+) (\d+)$/gm)].map(m => [Number(m[1]), Number(m[2])]))
}
