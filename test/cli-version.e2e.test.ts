import { readFileSync } from 'node:fs'
import t from 'tap'
import { bin } from './support/cli.js'

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))

t.test('--version and -v print the package version, exit 0', async t => {
  for (const flag of ['--version', '-v']) {
    const r = await bin([flag])
    t.equal(r.code, 0, flag)
    t.equal(r.out, `${version}\n`, flag)
    t.equal(r.err, '', flag)
  }
  const help = await bin(['--help'])
  t.match(help.out, /-v, --version/, 'the help names it')
})
