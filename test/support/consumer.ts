import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, copyFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { Test } from 'tap'

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** Node options for runFixture's nodeArgs: a full GC as the event loop empties, before pino's exit hooks. */
export const GC_AT_EXIT = ['--expose-gc', '--import', pathToFileURL(join(ROOT, 'test/fixtures/gc-at-exit.mjs')).href]

/**
 * A project folder outside the repository with curator-log installed as a package (a link to this
 * checkout, whose dist/ npm test has just built) beside pino, pg and pino-pretty.
 */
export function consumerDir (t: Test): string {
  if (!existsSync(join(ROOT, 'dist/transport/index.js'))) throw new Error('dist/ is missing: npm test builds it first')
  const dir = mkdtempSync(join(tmpdir(), 'curator-log-consumer-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  mkdirSync(join(dir, 'node_modules'))
  symlinkSync(ROOT, join(dir, 'node_modules', 'curator-log'), 'dir')
  for (const dep of ['pino', 'pg', 'pino-pretty']) symlinkSync(join(ROOT, 'node_modules', dep), join(dir, 'node_modules', dep), 'dir')
  return dir
}

/** How runFixture starts and ends the fixture. */
export interface RunOptions {
  /** Copies the fixture from test/fixtures first. Default true; false runs a file already in the folder. */
  copy?: boolean
  /** A command the node process runs under, e.g. unshare's, to make it PID 1. */
  wrap?: string[]
  /** SIGKILLs the process (the wrapper: give it --kill-child) as soon as it prints a whole line. */
  killOnOutput?: boolean
  /** Options for node itself, before the fixture (e.g. --expose-gc). */
  nodeArgs?: string[]
}

/** Copies a fixture into the consumer folder and runs it with node; resolves with its output. */
export function runFixture (dir: string, fixture: string, env: Record<string, string>, timeoutMs = 60_000, run: RunOptions = {}): Promise<{ code: number | null, signal: string | null, stdout: string, stderr: string }> {
  if (run.copy !== false) copyFileSync(join(ROOT, 'test/fixtures', fixture), join(dir, fixture))
  return new Promise((resolve, reject) => {
    // tap injects its process-info loader (and with it signal-exit's handlers) into node children
    // through NODE_OPTIONS; `env -u` keeps the fixture a plain node process, as in production.
    const command = [...run.wrap ?? [], 'env', '-u', 'NODE_OPTIONS', process.execPath, ...run.nodeArgs ?? [], fixture]
    const child = spawn(command[0], command.slice(1), { cwd: dir, env: { ...process.env, ...env } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', d => {
      stdout += d
      if (run.killOnOutput && stdout.includes('\n')) child.kill('SIGKILL')
    })
    child.stderr.on('data', d => { stderr += d })
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${fixture} timed out\n${stderr}`)) }, timeoutMs)
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr })
    })
  })
}
