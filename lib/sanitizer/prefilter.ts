import { Mark } from './marks.js'
import { TOKEN_FORMATS } from './token-formats.js'
import { TEXT_KEY_TAIL, textKeyKind } from './sensitive-keys.js'
import { isSpace } from './text-values.js'

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
    if (c >= 0xa0) marks |= Mark.Compat
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
    // Print groups of a card number: one space, dash or dot between digits keeps the count going.
    if (!isSeparator(c) || !isDigit(s.charCodeAt(i - 1))) digits = 0
    if (c === 32 && ssnAt(s, i)) marks |= Mark.Ssn
    if (kind === MARK) {
      switch (c) {
        case 64: // @
          marks |= Mark.At
          break
        case 61: // =  (a key word before it)
          if (keyWordBefore(s, i)) marks |= Mark.KeyWord
          break
        case 62: // >  (<password>)
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
        case 37: // %XX (read decoded too)
          if (isHex(s.charCodeAt(i + 1)) && isHex(s.charCodeAt(i + 2))) marks |= Mark.Encoded
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
  CHAR_KIND[c] = /[0-9]/.test(ch) ? DIGIT : /[A-Za-z_]/.test(ch) ? WORD : '@=:-.~>%'.includes(ch) ? MARK : OTHER
}
const HGVS_LETTERS = [...'cgmnrp'].map(ch => ch.charCodeAt(0))

// Token prefixes by their first three characters, as one number: a word start is one lookup.
const head = (s: string, i: number): number => (s.charCodeAt(i) << 16) ^ (s.charCodeAt(i + 1) << 8) ^ s.charCodeAt(i + 2)
const TOKEN_HEADS = new Set(TOKEN_FORMATS.filter(f => f.prefix.length >= 3).map(f => head(f.prefix, 0)))

function isLetter (c: number): boolean {
  return ((c | 32) >= 97 && (c | 32) <= 122)
}

function isDigit (c: number): boolean {
  return c >= 48 && c <= 57
}

function isHex (c: number): boolean {
  return isDigit(c) || ((c | 32) >= 97 && (c | 32) <= 102)
}

function isSeparator (c: number): boolean {
  return c === 32 || c === 45 || c === 46
}

/** A token prefix, an IBAN's country code and check digits, or a command, starting at i. */
function wordStartMarks (s: string, i: number, end: number): number {
  if (i + 3 > end) return 0
  let marks = TOKEN_HEADS.has(head(s, i)) ? Mark.TokenHead : 0
  if (isLetter(s.charCodeAt(i)) && isLetter(s.charCodeAt(i + 1)) && isDigit(s.charCodeAt(i + 2)) && isDigit(s.charCodeAt(i + 3))) marks |= Mark.IbanHead
  const h = head(s, i) | 0x202020
  if (h === CURL || h === MYSQL) marks |= Mark.Command
  return marks
}

const CURL = head('cur', 0)
const MYSQL = head('mys', 0)

/** `ddd-dd-dddd` or `ddd dd dddd` around the first separator at `sep`. */
function ssnAt (s: string, sep: number): boolean {
  for (const k of [-3, -2, -1, 1, 2, 4, 5, 6, 7]) if (!isDigit(s.charCodeAt(sep + k))) return false
  return s.charCodeAt(sep + 3) === s.charCodeAt(sep)
}

/**
 * Whether the name before a `:`, `=` or `>` (past spaces, a quote, a backslash) names a secret for the
 * text rules. Each run of spaces is read back only by the separator right after it, and the name at
 * most TEXT_KEY_TAIL characters back, so the cost stays linear.
 */
function keyWordBefore (s: string, sep: number): boolean {
  let j = sep - 1
  while (j >= 0 && isSpace(s.charCodeAt(j))) j--
  const q = s.charCodeAt(j)
  if (q === 34 || q === 39) j--
  if (s.charCodeAt(j) === 92) j--
  const end = j + 1
  for (; j >= 0 && end - j <= TEXT_KEY_TAIL; j--) {
    const c = s.charCodeAt(j)
    if (c >= 128 || (CHAR_KIND[c] !== WORD && CHAR_KIND[c] !== DIGIT && c !== 45 && c !== 46)) break
  }
  return end - j > 1 && textKeyKind(s.slice(j + 1, end)) !== null
}

function endsWithWord (s: string, end: number, word: string): boolean {
  const start = end - word.length
  if (start < 0) return false
  for (let k = 0; k < word.length; k++) {
    if ((s.charCodeAt(start + k) | 32) !== word.charCodeAt(k)) return false
  }
  return true
}
