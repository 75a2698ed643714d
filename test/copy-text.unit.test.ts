import t from 'tap'
import { decodeRow, encodeRow, escapeField } from '../transport/copy-text.js'

const nasty = ['tab\there', 'line\nbreak', 'cr\rhere', 'back\\slash', '\\N', '\\.', 'end\\', '', 'plain', '😀 non-BMP', '\\\t\n\r']

t.test('escapes exactly backslash, newline, carriage return and tab', async t => {
  t.equal(escapeField('a\tb\nc\rd\\e'), 'a\\tb\\nc\\rd\\\\e')
  t.equal(escapeField('no specials'), 'no specials')
})

t.test('a row survives encode and decode field for field', async t => {
  const row = [...nasty, null, 42, -1.5]
  const line = encodeRow(row)
  t.notOk(line.includes('\n'), 'one physical line')
  t.equal(line.split('\t').length, row.length, 'one tab between fields')
  t.same(decodeRow(line), row.map(v => v === null ? null : String(v)))
})

t.test('NULL is \\N and the text \\N is not NULL', async t => {
  t.same(decodeRow(encodeRow([null, '\\N'])), [null, '\\N'])
})
