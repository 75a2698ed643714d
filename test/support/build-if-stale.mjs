// tap runs this once before the test files (package.json "tap.before"). The tests load the
// transport, the CLI and the package as a consumer does, from dist/: build it when it is missing or
// older than a source file, so a bare `npx tap` never tests yesterday's code. `npm test` has just
// built, so there this only compares times; `npm run test:unit` (sources only) skips it with --before=.
import { spawnSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const STAMP = join(ROOT, 'dist/transport/index.js')

function newest (path) {
  const s = statSync(path, { throwIfNoEntry: false })
  if (!s) return 0
  if (!s.isDirectory()) return s.mtimeMs
  let t = s.mtimeMs // a deleted or renamed file shows only in its folder's time
  for (const e of readdirSync(path)) t = Math.max(t, newest(join(path, e)))
  return t
}

const built = statSync(STAMP, { throwIfNoEntry: false })?.mtimeMs ?? 0
const sources = Math.max(...['lib', 'transport', 'package.json', 'tsconfig.json', 'tsconfig.build.json'].map(p => newest(join(ROOT, p))))
if (built < sources) {
  console.error(built ? 'dist/ is older than the sources: npm run build' : 'dist/ is missing: npm run build')
  const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 2, 2], shell: process.platform === 'win32' })
  if (r.status !== 0) {
    console.error('the tests run the built package (dist/) and `npm run build` failed: fix the build first')
    process.exit(1)
  }
}
