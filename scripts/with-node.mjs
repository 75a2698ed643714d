#!/usr/bin/env node
// Runs a command on a chosen Node.js line. A line other than the running one comes from npm's `node`
// package, installed once into a cache outside the repository (so `npm ci` never removes it and it
// never enters the lock file), and goes first on PATH: `node`, and every `#!/usr/bin/env node` tool
// the command starts (npm, tsx, tap, tsc, eslint), then run on it.
//
//   node scripts/with-node.mjs 24 npm test    a major line: 22, 24, 26
//   node scripts/with-node.mjs auto tap ...   the running node when it is a supported line, else Node 24
//
// CURATOR_NODE (a major) overrides the line asked for; CURATOR_NODE_CACHE is the cache directory
// (default ~/.cache/curator-log/node). Only the first use of a line needs the npm registry.
// Plain JavaScript on purpose: it must start on any node, supported or not, without a build.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs'
import { homedir } from 'node:os'
import { delimiter, join } from 'node:path'

const MIN_SUPPORTED = 22
const DEFAULT_LINE = '24'
const [asked, command, ...args] = process.argv.slice(2)
if (!asked || !command) fail('usage: with-node.mjs MAJOR|auto COMMAND [ARGS...]', 2)

const current = process.versions.node.split('.')[0]
let line = process.env.CURATOR_NODE || asked
// The tests run the TypeScript sources on Node's own type stripping (22.18 and later have it on).
const strips = Boolean(process.features.typescript)
if (line === 'auto') {
  if (Number(current) >= MIN_SUPPORTED && strips) line = current
  else {
    line = DEFAULT_LINE
    console.error(`with-node: Node ${process.version} ${strips ? `is not a supported line (${MIN_SUPPORTED} and later)` : 'does not strip TypeScript types (22.18 and later do)'}; running on Node ${line}`)
  }
}
if (!/^\d+$/.test(line)) fail(`with-node: a major version such as 24 was expected, got ${JSON.stringify(line)}`, 2)

const env = { ...process.env }
if (line !== current) {
  const cache = join(process.env.CURATOR_NODE_CACHE || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'curator-log', 'node'), line)
  const dir = join(cache, 'node_modules', 'node', 'bin')
  const exe = join(dir, process.platform === 'win32' ? 'node.exe' : 'node')
  if (!works(exe)) {
    console.error(`with-node: installing node@${line} into ${cache}`)
    // Into a folder of this process's own, then renamed into place: two commands started at once
    // (parallel jobs, a second terminal) would otherwise install over each other and break both.
    const staging = `${cache}.installing-${process.pid}`
    rmSync(staging, { recursive: true, force: true })
    mkdirSync(staging, { recursive: true })
    const npm = spawnSync('npm', ['install', '--prefix', staging, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--loglevel=error', `node@${line}`],
      { stdio: ['ignore', 2, 2], shell: process.platform === 'win32' })
    if (npm.status === 0 && !works(exe)) {
      rmSync(cache, { recursive: true, force: true })
      try { renameSync(staging, cache) } catch {} // another process put its own in place first
    }
    rmSync(staging, { recursive: true, force: true })
    if (!works(exe)) fail(`with-node: could not install node@${line} from the npm registry`, 1)
  }
  const key = Object.keys(env).find(k => k.toUpperCase() === 'PATH') ?? 'PATH'
  env[key] = dir + delimiter + (env[key] ?? '')
  console.error(`with-node: Node ${spawnSync(exe, ['--version'], { encoding: 'utf8' }).stdout.trim()} from ${dir}`)
}
const child = spawnSync(command, args, { stdio: 'inherit', env, shell: process.platform === 'win32' })
if (child.error) fail(`with-node: ${child.error.message}`, 127)
process.exit(child.status ?? 1)

function works (exe) {
  return existsSync(exe) && spawnSync(exe, ['--version']).status === 0
}

function fail (message, code) {
  console.error(message)
  process.exit(code)
}
