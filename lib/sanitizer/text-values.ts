import { textKeyKind } from './sensitive-keys.js'

/** What a rule's match turns into: `s.slice(from, to)` is replaced by `text`. */
export interface Span {
  from: number
  to: number
  text: string
}

const REDACTED = '[REDACTED]'

/**
 * Where a value written after `key=` / `"key": ` ends, read from `at` by one forward scan: a quoted
 * string to its closing quote, an array or object to its matching bracket, a bare token to the next
 * space or delimiter. Unclosed quotes run to the line end, unclosed brackets to the string end: the
 * caller redacts what was scanned, so every character is read once and nothing of a long value stays.
 */
export function valueEnd (s: string, at: number): { end: number, kind: 'quoted' | 'bracketed' | 'bare' } {
  const c = s.charCodeAt(at)
  const escaped = c === BACKSLASH && (s.charCodeAt(at + 1) === DQ || s.charCodeAt(at + 1) === SQ)
  if (c === DQ || c === SQ || escaped) return { end: quotedEnd(s, escaped ? at + 1 : at, escaped), kind: 'quoted' }
  if (c === 91 || c === 123) return { end: bracketEnd(s, at), kind: 'bracketed' }
  let i = at
  while (i < s.length && !BARE_STOP.has(s.charCodeAt(i)) && !isSpace(s.charCodeAt(i))) i++
  // Closing brackets after a bare value belong to the JSON around it (`{"pin": 1234}`).
  while (i > at + 1 && CLOSERS.has(s.charCodeAt(i - 1))) i--
  return { end: i, kind: 'bare' }
}

/** The end (exclusive, past the closing quote) of the string whose quote is at `q`. */
function quotedEnd (s: string, q: number, escaped: boolean): number {
  const quote = s.charCodeAt(q)
  for (let i = q + 1; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c === BACKSLASH) {
      // Inside a JSON string held in a string the value closes with \" ; a \\ pair is one character.
      if (escaped && s.charCodeAt(i + 1) === quote) return i + 2
      i++
    } else if (c === quote && !escaped) return i + 1
    else if (c === 10 || c === 13) return i
  }
  return s.length
}

/** The end (exclusive) of the array or object opening at `open`, skipping brackets inside strings. */
function bracketEnd (s: string, open: number): number {
  let depth = 0
  let quote = 0
  for (let i = open; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c === BACKSLASH) { i++; continue }
    if (quote !== 0) {
      if (c === quote) quote = 0
    } else if (c === DQ || c === SQ) quote = c
    else if (c === 91 || c === 123) depth++
    else if ((c === 93 || c === 125) && --depth === 0) return i + 1
  }
  return s.length
}

/**
 * The redaction of a secret assigned in text. Groups: 1 the name, 2 what closes it (a quote, maybe
 * escaped), 3 the separator with its spaces. A value after a quoted name becomes a quoted
 * `[REDACTED]`, so JSON around it stays JSON.
 */
export function assignedSecret (s: string, m: RegExpExecArray): Span | null {
  const kind = textKeyKind(m[1]!)
  if (kind === null) return null
  const at = m.index + m[0].length
  if (at >= s.length) return null
  // Every value read here is redacted: a scan that gave up would be read again from the next name
  // inside it (`cookie=cookie=…`), once per name, and the whole pass would grow with the square.
  const value = kind === 'header' ? headerValue(s, at, m[1]!) : { from: at, ...valueEnd(s, at) }
  if (value.end <= value.from) return null
  const keyQuote = m[2]!
  let text = REDACTED
  if (value.kind === 'quoted') {
    const open = s.charCodeAt(value.from) === BACKSLASH ? s.slice(value.from, value.from + 2) : s[value.from]!
    const closed = value.end - value.from >= 2 * open.length && s.slice(value.end - open.length, value.end) === open
    text = open + REDACTED + (closed ? open : '')
  } else if (keyQuote !== '') {
    text = keyQuote + REDACTED + keyQuote
  }
  return { from: value.from, to: value.end, text }
}

/**
 * A bare Authorization or Cookie value after `name=` / `name:` (`HTTP_AUTHORIZATION=Token x`,
 * `cookie=sid=x; theme=y`, `?session_cookie=x&`): an Authorization value keeps a scheme word before
 * its credential (the credential goes), a cookie list runs on over `; name=value` pairs. Quoted and
 * bracketed values end as {@link valueEnd} says. One forward scan: what it reads is redacted.
 */
function headerValue (s: string, at: number, name: string): { from: number, end: number, kind: 'quoted' | 'bracketed' | 'bare' } {
  let value = valueEnd(s, at)
  if (value.kind !== 'bare') return { from: at, ...value }
  if (/cookies?$/i.test(name.slice(-8))) {
    for (let i = value.end; s.charCodeAt(i) === 59;) {
      i++
      while (s.charCodeAt(i) === 32 || s.charCodeAt(i) === 9) i++
      const next = valueEnd(s, i)
      const eq = indexIn(s, i, next.end, 61)
      // A pair named like a secret (`; HTTP_AUTHORIZATION=Token x`) is left to the rule's next match.
      if (next.kind !== 'bare' || eq <= i || textKeyKind(s.slice(i, eq)) !== null) break
      value = next
      i = next.end
    }
    return { from: at, ...value }
  }
  if (value.end - at > 16 || !AUTH_SCHEME.test(s.slice(at, value.end))) return { from: at, ...value }
  let i = value.end
  while (s.charCodeAt(i) === 32 || s.charCodeAt(i) === 9) i++
  const credential = valueEnd(s, i)
  return i > value.end && credential.end > i ? { from: i, ...credential } : { from: at, ...value }
}

const AUTH_SCHEME = /^(?:bearer|basic|token|digest|negotiate|ntlm|apikey|api-key|sso-key|hmac|key|aws4-hmac-sha256)$/i

/** The first index of the character `c` in `s.slice(from, to)`, or -1. */
function indexIn (s: string, from: number, to: number, c: number): number {
  for (let i = from; i < to; i++) if (s.charCodeAt(i) === c) return i
  return -1
}

/** Text rule's name: a run of name characters, its closing quote, then `=`, `:`, `=>` or `:=`. */
export const ASSIGNED_SECRET_PATTERN = String.raw`(?<![A-Za-z0-9_.-])([A-Za-z0-9_.-]+)(\\?["']|)(\s*(?:=>|:=|[=:])\s*)`

/** `<password>hunter2</password>`: the element's text up to the next `<`. */
export function elementSecret (s: string, m: RegExpExecArray): Span | null {
  if (textKeyKind(m[1]!) !== 'secret') return null
  const at = m.index + m[0].length
  let i = at
  while (i < s.length && s.charCodeAt(i) !== 60) i++
  return i > at ? { from: at, to: i, text: REDACTED } : null
}

/**
 * A URL's password, read from just after the `:` that follows the user name. The password may hold
 * a raw `@`, `/`, `#`, `?` or a space: it runs to the LAST `@` before the host, where the host is what
 * follows an `@` up to the first `/`, `?`, `#` or space. When what follows the `:` up to such a
 * character is only digits, it is a port (`http://localhost:3000/a?to=x@y.com`) and no `/?# ` may
 * come before the `@`. The scan stops at a line end, a quote, `<`/`>` or another `://`, and at 256
 * characters.
 */
export function urlPassword (s: string, m: RegExpExecArray): Span | null {
  const at = m.index + m[0].length
  const limit = Math.min(s.length, at + 256)
  let lastAt = -1
  let strict = false
  let i = at
  for (; i < limit; i++) {
    const c = s.charCodeAt(i)
    if (c === 64) { lastAt = i; continue }
    if (c === 10 || c === 13 || c === DQ || c === SQ || c === 60 || c === 62) break
    if (c === 58 && s.charCodeAt(i + 1) === 47 && s.charCodeAt(i + 2) === 47) break
    if (c === 47 || c === 63 || c === 35 || isSpace(c)) {
      if (lastAt >= 0) break
      if (i === at || strict || allDigits(s, at, i)) { strict = true; break }
    }
  }
  if (lastAt < 0) return null
  return { from: at, to: lastAt, text: REDACTED }
}

/**
 * Passwords on a command line: `curl -u user:pass`, `curl --user user:pass`, `mysql -pPASS`. The flag
 * must follow the command on its line (up to `|`, `;`, `&`), so `docker run -u 1000:1000` and `ls -p`
 * stay. The scan stops at 256 characters or at the next mention of a command, so each character is
 * read about once.
 */
export function commandLineSecret (s: string, m: RegExpExecArray): Span | null {
  const curl = m[1]!.toLowerCase() === 'curl'
  const limit = Math.min(s.length, m.index + m[0].length + 256)
  let i = m.index + m[0].length
  while (i < limit) {
    while (i < limit && isSpace(s.charCodeAt(i))) i++
    const start = i
    while (i < limit && !isSpace(s.charCodeAt(i))) i++
    const word = s.slice(start, i)
    if (word === '' || /^[|;&]|^(?:curl|mysql)/i.test(word)) return null
    if (curl && (word === '-u' || word === '--user')) {
      while (i < limit && isSpace(s.charCodeAt(i))) i++
      const value = valueEnd(s, i)
      const colon = s.indexOf(':', i)
      return colon > i && colon < value.end - 1 ? { from: colon + 1, to: value.end, text: REDACTED } : null
    }
    if (!curl && word.length > 2 && word.startsWith('-p')) {
      const value = valueEnd(s, start + 2)
      return value.end > start + 2 ? { from: start + 2, to: value.end, text: REDACTED } : null
    }
  }
  return null
}

/** The command whose flags {@link commandLineSecret} reads. */
export const COMMAND_LINE_PATTERN = String.raw`(?<![A-Za-z0-9_-])(curl|mysql|mysqldump|mysqladmin)(?![A-Za-z0-9_-])`

function allDigits (s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i)
    if (c < 48 || c > 57) return false
  }
  return true
}

const BACKSLASH = 92
const DQ = 34
const SQ = 39
const BARE_STOP = new Set([...'"\'\\,;&<>'].map(ch => ch.charCodeAt(0)))
const CLOSERS = new Set([41, 93, 125])

// What \s matches.
export function isSpace (c: number): boolean {
  return c <= 32 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff
}
