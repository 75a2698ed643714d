import neostandard from 'neostandard'

// One-way layers (issue 18). lib/core and lib/sanitizer are shared by both threads; lib/database is the
// PostgreSQL side; lib/app runs on the app thread; transport/ is the worker, which must never load
// app-thread code. Specifiers are relative, so a folder is recognised by the `../` run that reaches it.
const upTo = folders => `^(\\.\\./)+(${folders.join('|')})/`
const LAYERS = [
  { files: ['lib/core/**', 'lib/sanitizer/**'], banned: ['database', 'app', 'cli', 'dev', 'transport'], message: 'lib/core and lib/sanitizer are shared by both threads: they import only each other' },
  { files: ['lib/database/**'], banned: ['app', 'cli', 'dev', 'transport'], message: 'lib/database is loaded by the worker: it imports only lib/core, lib/sanitizer and lib/database' },
  { files: ['lib/app/**'], banned: ['cli', 'dev', 'transport'], message: 'lib/app runs on the app thread: it never imports the CLI, the dev helpers or the worker' },
  { files: ['lib/cli/**', 'lib/dev/**', 'lib/index.ts'], banned: ['transport'], message: 'nothing in lib/ imports transport/ (createLogger finds the worker by its URL)' }
]

export default [
  ...neostandard({
    ts: true,
    ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.tap/**', 'bench/results/**', 'scratch/**']
  }),
  ...LAYERS.map(({ files, banned, message }) => ({
    files,
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ regex: upTo(banned), message }]
      }]
    }
  })),
  {
    files: ['transport/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{
          regex: '^\\.\\./lib/((app|cli|dev)/|index\\.js$)',
          message: 'transport/ is the worker: it imports only lib/core, lib/sanitizer and lib/database, never app-thread code'
        }]
      }]
    }
  },
  {
    // Issue 18: private state as #fields (as pino and kysely do), private at run time and not only to tsc.
    files: ['lib/**', 'transport/**'],
    rules: {
      'no-restricted-syntax': ['error', {
        selector: ':matches(PropertyDefinition, MethodDefinition, TSParameterProperty, TSAbstractPropertyDefinition)[accessibility=/^(private|protected)$/]',
        message: 'private state is a #field (or a module symbol), not a TypeScript private member'
      }]
    }
  }
]
