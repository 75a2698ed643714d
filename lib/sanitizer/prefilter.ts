import { Mark } from './marks.js'
import { TOKEN_FORMATS } from './token-formats.js'
import { TEXT_KEY_WORDS } from './value-patterns.js'

/**
 * A single pass over a string that says whether any built-in value rule could match it: every rule
 * needs one of these marks (an `@`, an `=`, `://`, `-----`, `eyJ`, `xox`, a token prefix where a word
 * starts, `Bearer `/`Basic `, a key word before a `:`, HGVS `c.`/`p.`, `chr…:`, `…Q~`, a run of 16
 * letters, digits and `_`, a run of 32 base64 characters, 13 digits in print groups, an SSN's
 * `ddd-dd-dddd`, an IBAN's `CCdd` where a word starts). Most log values have none, and a plain loop is
 * several times cheaper than the rules' combined regular expression. A property test holds it to the rules.
 *
 * `start` and `end` bound the scan to a part of `s` (a string inside a JSON line) without slicing it; the
 * look-behinds may read before `start`, which can only add false alarms.
 */
export function mayHoldSecret (s: string, start = 0, end = s.length): boolean {
  return secretMarks(s, start, end) !== 0
}

/** The marks (see marks.ts) found in `s.slice(start, end)`: the rules worth running on it. */
export function secretMarks (s: string, start = 0, end = s.length): number {
  let marks = 0
  let run = 0
  let b64 = 0
  let digits = 0
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i)
    const kind = c < 128 ? CHAR_KIND[c] : OTHER
    if (kind === WORD || kind === DIGIT) {
      if (run === 0) marks |= wordStartMarks(s, i, end)
      if (kind !== DIGIT) digits = 0
      else if (++digits >= 13) marks |= Mark.Digits13
      // Runs count letters, digits and `_`: token bodies such as github_pat_… mix them.
      if (++run >= 16) marks |= Mark.Run16
      if (c === 95) b64 = 0
      else if (++b64 >= 32) marks |= Mark.Base64
      // eyJ (JWT header); c./p. are handled at the dot, chr at the colon
      if (c === 74 && run >= 3 && s.charCodeAt(i - 1) === 121 && s.charCodeAt(i - 2) === 101) marks |= Mark.Jwt
      continue
    }
    const word = run
    run = 0
    if (c === 43 || c === 47) {
      if (++b64 >= 32) marks |= Mark.Base64
    } else b64 = 0
    // Print groups of a card number: one space or dash between digits keeps the count going.
    if (!isSeparator(c) || !isDigit(s.charCodeAt(i - 1))) digits = 0
    if (kind === MARK) {
      switch (c) {
        case 64: // @
          marks |= Mark.At
          break
        case 61: // =  (a key word before it)
          if (keyWordBefore(s, i)) marks |= Mark.KeyWord
          break
        case 58: // :  (://, chrN:, a key word before it, Telegram's digits:AA)
          if (s.charCodeAt(i + 1) === 47 && s.charCodeAt(i + 2) === 47) marks |= Mark.Scheme
          if (i >= 4 && (s.startsWith('chr', i - 4) || s.startsWith('chr', i - 5))) marks |= Mark.Chr
          if (s.charCodeAt(i + 1) === 65 && s.charCodeAt(i + 2) === 65) marks |= Mark.Telegram
          if (keyWordBefore(s, i)) marks |= Mark.KeyWord
          break
        case 45: // -  (-----, ddd-dd-dddd)
          if (s.startsWith('----', i + 1)) marks |= Mark.Dashes
          if (ssnAt(s, i)) marks |= Mark.Ssn
          break
        case 46: // .  (c.123, p.Arg, g./m./n./r.)
          if (i >= 1 && HGVS_LETTERS.includes(s.charCodeAt(i - 1))) marks |= Mark.Hgvs
          break
        case 126: // ~  (Azure's …dQ~)
          if (s.charCodeAt(i - 1) === 81) marks |= Mark.Tilde
          break
      }
    }
    // Whatever follows Bearer / Basic (\s covers more than ASCII spaces), check the word that just ended.
    if (word >= 5 && (endsWithWord(s, i, 'bearer') || endsWithWord(s, i, 'basic'))) marks |= Mark.Bearer
  }
  return marks
}

const OTHER = 0
const WORD = 1
const MARK = 2
const DIGIT = 3
const CHAR_KIND = new Uint8Array(128)
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c)
  CHAR_KIND[c] = /[0-9]/.test(ch) ? DIGIT : /[A-Za-z_]/.test(ch) ? WORD : '@=:-.~'.includes(ch) ? MARK : OTHER
}
const HGVS_LETTERS = [...'cgmnrp'].map(ch => ch.charCodeAt(0))

// Token prefixes by their first three characters, as one number: a word start is one lookup.
const head = (s: string, i: number): number => (s.charCodeAt(i) << 16) ^ (s.charCodeAt(i + 1) << 8) ^ s.charCodeAt(i + 2)
const TOKEN_HEADS = new Set(TOKEN_FORMATS.filter(f => f.prefix.length >= 3).map(f => head(f.prefix, 0)))

function isUpper (c: number): boolean {
  return c >= 65 && c <= 90
}

function isDigit (c: number): boolean {
  return c >= 48 && c <= 57
}

function isSeparator (c: number): boolean {
  return c === 32 || c === 45
}

/** A token prefix, or an IBAN's country code and check digits, starting at i. */
function wordStartMarks (s: string, i: number, end: number): number {
  if (i + 3 > end) return 0
  let marks = TOKEN_HEADS.has(head(s, i)) ? Mark.TokenHead : 0
  if (isUpper(s.charCodeAt(i)) && isUpper(s.charCodeAt(i + 1)) && isDigit(s.charCodeAt(i + 2)) && isDigit(s.charCodeAt(i + 3))) marks |= Mark.IbanHead
  return marks
}

// What \s matches (and the ASCII controls, which only add false alarms).
function isSpace (c: number): boolean {
  return c <= 32 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff
}

function ssnAt (s: string, dash: number): boolean {
  for (const k of [-3, -2, -1, 1, 2, 4, 5, 6, 7]) if (!isDigit(s.charCodeAt(dash + k))) return false
  return s.charCodeAt(dash + 3) === 45
}

const LONGEST_KEY_WORD = Math.max(...TEXT_KEY_WORDS.map(w => w.length))

/** Whether the name before a `:` (past spaces, a quote, a backslash) ends with a key word of the text rules. */
function keyWordBefore (s: string, colon: number): boolean {
  let j = colon - 1
  for (let n = 0; n < 4 && j >= 0 && isSpace(s.charCodeAt(j)); n++) j--
  const q = s.charCodeAt(j)
  if (q === 34 || q === 39) j--
  if (s.charCodeAt(j) === 92) j--
  if (!KEY_WORD_ENDINGS.has(s.charCodeAt(j) | 32)) return false
  // The word, lower case and without `_` and `-`, as far back as the longest key word.
  let name = ''
  for (; j >= 0 && name.length < LONGEST_KEY_WORD; j--) {
    const c = s.charCodeAt(j)
    if (c === 95 || c === 45) continue
    if (c >= 128 || (CHAR_KIND[c] !== WORD && CHAR_KIND[c] !== DIGIT)) break
    name = String.fromCharCode(c | 32) + name
  }
  return name.length >= 3 && TEXT_KEY_WORDS.some(w => name.endsWith(w))
}

// Last letters of the key words: most names before a `:` or `=` end otherwise and cost one lookup.
const KEY_WORD_ENDINGS = new Set(TEXT_KEY_WORDS.map(w => w.charCodeAt(w.length - 1)))

function endsWithWord (s: string, end: number, word: string): boolean {
  const start = end - word.length
  if (start < 0) return false
  for (let k = 0; k < word.length; k++) {
    if ((s.charCodeAt(start + k) | 32) !== word.charCodeAt(k)) return false
  }
  return true
}
