// The one-way layers of issue 18: the worker (transport/) never loads app-thread code, and nothing in
// lib/ loads the worker. The lint rule in eslint.config.js enforces it; these tests prove that rule
// rejects what it must and accepts what it must, and that the tree itself keeps to it, dynamic
// import() included (which no-restricted-imports does not see).
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, posix, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ESLint } from 'eslint'
import t from 'tap'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

// What each folder may import from the others (besides itself).
const MAY_IMPORT: Record<string, string[]> = {
  'lib/core': ['lib/sanitizer'],
  'lib/sanitizer': ['lib/core'],
  'lib/database': ['lib/core', 'lib/sanitizer'],
  'lib/app': ['lib/core', 'lib/sanitizer', 'lib/database'],
  'lib/cli': ['lib/core', 'lib/sanitizer', 'lib/database', 'lib/app', 'lib/dev'],
  'lib/dev': ['lib/core', 'lib/sanitizer', 'lib/database'],
  'lib/index.ts': ['lib/core', 'lib/sanitizer', 'lib/database', 'lib/app'],
  transport: ['lib/core', 'lib/sanitizer', 'lib/database']
}

/** The folder of MAY_IMPORT a repository path belongs to. */
function layerOf (path: string): string | undefined {
  return Object.keys(MAY_IMPORT).find(l => path === l || path.startsWith(l + '/'))
}

t.test('the lint rule rejects an import across a layer and accepts one along it', async t => {
  const eslint = new ESLint({ cwd: ROOT })
  const cases: Array<[file: string, statement: string, allowed: boolean]> = [
    ['lib/core/probe.ts', "import { getContext } from '../app/context.js'", false],
    ['lib/core/probe.ts', "import { migrate } from '../database/migrate.js'", false],
    ['lib/core/probe.ts', "import { run } from '../cli/main.js'", false],
    ['lib/core/probe.ts', "export { default } from '../../transport/index.js'", false],
    ['lib/core/probe.ts', "import { cleanString } from '../sanitizer/values.js'", true],
    ['lib/core/probe.ts', "import { quoteIdent } from './identifiers.js'", true],
    ['lib/sanitizer/probe.ts', "import { UNLIMITED } from '../app/unlimited.js'", false],
    ['lib/sanitizer/probe.ts', "import { LevelNames } from '../core/levels.js'", true],
    ['lib/database/probe.ts', "import type { LogContext } from '../app/context.js'", false],
    ['lib/database/probe.ts', "import { Spill } from '../../transport/spill.js'", false],
    ['lib/database/probe.ts', "import { COLUMNS } from '../core/columns.js'", true],
    ['lib/app/http/probe.ts', "import { main } from '../../cli/main.js'", false],
    ['lib/app/http/probe.ts', "import { FLUSH_REQUEST } from '../../../transport/index.js'", false],
    ['lib/app/http/probe.ts', "import { getContext } from '../context.js'", true],
    ['lib/app/http/probe.ts', "import { LevelNames } from '../../core/levels.js'", true],
    ['lib/cli/probe.ts', "import { LevelNames } from '../../transport/line-to-row.js'", false],
    ['lib/cli/probe.ts', "import { createLogger } from '../app/create-logger.js'", true],
    ['transport/probe.ts', "import { getContext } from '../lib/app/context.js'", false],
    ['transport/probe.ts', "import type { CuratorLogger } from '../lib/app/create-logger.js'", false],
    ['transport/probe.ts', "import { parseArgs } from '../lib/cli/args.js'", false],
    ['transport/probe.ts', "import { createLogger } from '../lib/index.js'", false],
    ['transport/probe.ts', "import { LevelNames } from '../lib/core/levels.js'", true],
    ['transport/probe.ts', "import { CopyWriter } from '../lib/database/copy-writer.js'", true],
    ['transport/probe.ts', "import { Sanitizer } from '../lib/sanitizer/sanitizer.js'", true]
  ]
  for (const [file, statement, allowed] of cases) {
    const [result] = await eslint.lintText(`${statement}\n`, { filePath: join(ROOT, file) })
    const layering = result.messages.filter(m => m.ruleId === 'no-restricted-imports')
    if (allowed) t.same(layering, [], `${file}: ${statement}`)
    else t.equal(layering.length, 1, `${file}: ${statement} is refused`)
  }
})

t.test('every import in lib/ and transport/, static or dynamic, follows the layers', async t => {
  const files = ['lib', 'transport'].flatMap(dir => readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter(e => e.isFile() && e.name.endsWith('.ts'))
    .map(e => relative(ROOT, join(e.parentPath, e.name)).split(sep).join('/')))
  t.ok(files.length > 50, `${files.length} source files`)
  const crossings: string[] = []
  let seen = 0
  for (const file of files) {
    const from = layerOf(file)
    const source = readFileSync(join(ROOT, file), 'utf8')
    for (const m of source.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^import\s+)'(\.{1,2}\/[^']+)'/gm)) {
      seen++
      const target = posix.normalize(posix.join(dirname(file), m[1]))
      const to = layerOf(target)
      if (to === from) continue
      if (from === undefined || to === undefined || !MAY_IMPORT[from].includes(to)) crossings.push(`${file} -> ${m[1]}`)
    }
  }
  t.ok(seen > 200, `${seen} relative imports read`)
  t.same(crossings, [], 'no import crosses a layer the wrong way')
})
