import { readFileSync } from 'node:fs'
import t from 'tap'
import { COLUMNS } from '../lib/core/columns.js'
import { BEGIN, COLUMNS_DOC, END, columnsTable, withColumnsTable } from '../lib/dev/columns-doc.js'

t.test('docs/transport.md shows the column table made from COLUMN_SPECS', async t => {
  const page = readFileSync(COLUMNS_DOC, 'utf8')
  const from = page.indexOf(BEGIN)
  t.ok(from >= 0 && page.indexOf(END) > from, 'the page has the table\'s markers')
  const shown = page.slice(from, page.indexOf(END) + END.length)
  t.equal(shown, columnsTable(), 'the column table of docs/transport.md is not COLUMN_SPECS\' (lib/core/columns.ts): run npm run docs:columns')
})

t.test('the generated table has one row per column, in the table\'s order, and replaces only itself', async t => {
  const table = columnsTable()
  const names = [...table.matchAll(/^\| `([^`]+)` \|/gm)].map(m => m[1])
  t.same(names, COLUMNS)
  t.equal(withColumnsTable(`before\n${BEGIN}\nold rows\n${END}\nafter\n`), `before\n${table}\nafter\n`)
  t.throws(() => withColumnsTable('no markers'), /no column table markers/)
})
