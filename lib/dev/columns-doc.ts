// The column table of docs/transport.md, made from COLUMN_SPECS so that a new column needs no edit of
// the page by hand: `npm run docs:columns` rewrites it, and test/columns-doc.unit.test.ts fails while the
// page and the spec disagree.
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { COLUMN_SPECS, type ColumnSource, type ColumnSpec } from '../core/columns.js'

// Run from source (tsx): the page is beside lib/ in the repository.
export const COLUMNS_DOC = fileURLToPath(new URL('../../docs/transport.md', import.meta.url))
export const BEGIN = '<!-- column table: generated from lib/core/columns.ts by npm run docs:columns; do not edit by hand -->'
export const END = '<!-- end of column table -->'

const code = (s: string): string => `\`${s}\``
const keysOf = (c: ColumnSpec): string => [...c.keys.map(code), ...(c.ecs ? [`ECS ${code(`${c.ecs}.id`)}`] : [])].join(', ')
const errorKeys = (c: ColumnSpec): string => `${c.keys.map(code).join(' or ')} (option \`errorKey\`; pino's err serializer shape)`

/** Where each kind of column takes its value from (ColumnSource); a new kind must say it here. */
const FROM: Record<ColumnSource, (c: ColumnSpec) => string> = {
  time: c => `${keysOf(c)} (option \`timeKey\`); a time outside the existing partitions is stored as ingest time, the original in \`context.original_time\` (\`original_time#2\` when the line has a field of that name)`,
  level: c => `${keysOf(c)} (number or label), stored as the pino level name (custom levels through the \`levels\` option); a number with no level is stored as written, and a level that is no number or label (null, true, an object) is stored as info, the value kept in \`context.level\``,
  message: c => `${keysOf(c)} (option \`messageKey\`): a string, number or boolean`,
  context: () => 'every field no column takes, sanitized (a value of the wrong type for its column stays here)',
  string: c => `${keysOf(c)}: a string`,
  text: c => `${keysOf(c)}: a string, number or boolean (its text as written)`,
  int32: c => `${keysOf(c)}: an integer in PostgreSQL's integer range`,
  number: c => `${keysOf(c)}: a finite number`,
  'error-type': c => `the \`type\` of ${errorKeys(c)}`,
  'error-message': c => `the \`message\` of ${errorKeys(c)}`,
  'error-stack': c => `the \`stack\` of ${errorKeys(c)}`,
  'trace-id': c => `the first valid W3C trace id (32 lowercase hex digits, not all zero) of ${keysOf(c)}`,
  'span-id': c => `the first valid W3C span id (16 lowercase hex digits, not all zero) of ${keysOf(c)}`,
  'trace-flags': c => `the first valid W3C trace flags (0 to 255, or two hex digits) of ${keysOf(c)}`
}

function capOf (c: ColumnSpec): string {
  if (c.cap === undefined) return ''
  // The sanitizer cuts at the cap and appends `…[TRUNCATED n chars]`, so a stored value may be longer.
  const cut = `, cut at ${c.cap === 'maxMessageLength' ? '`maxMessageLength`' : c.cap} characters and marked \`…[TRUNCATED n chars]\``
  return cut + (c.overLongInContext === true ? ' (kept whole in `context`)' : '')
}

/** The markdown table, one row per column in table order, between its markers. */
export function columnsTable (): string {
  return [
    BEGIN,
    '',
    '| column | type | from the pino line |',
    '|---|---|---|',
    ...COLUMN_SPECS.map(c => `| ${code(c.name)} | ${c.type}${c.notNull ? ', not null' : ''} | ${FROM[c.source](c)}${capOf(c)} |`),
    '',
    END
  ].join('\n')
}

/** The page with its column table (between the markers) replaced by `table`. */
export function withColumnsTable (page: string, table = columnsTable()): string {
  const from = page.indexOf(BEGIN)
  const to = page.indexOf(END)
  if (from < 0 || to < from) throw new Error(`curator-log: ${COLUMNS_DOC} has no column table markers (${BEGIN} … ${END})`)
  return page.slice(0, from) + table + page.slice(to + END.length)
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(COLUMNS_DOC, withColumnsTable(readFileSync(COLUMNS_DOC, 'utf8')))
  console.log(`wrote the column table of ${COLUMNS_DOC}`)
}
