/**
 * A single pass over a string that says whether any built-in value rule could match it: every rule
 * needs one of these marks (an `@`, an `=`, `://`, `-----`, `eyJ`, `xox`, `gl…-`, `Bearer `/`Basic `,
 * HGVS `c.`/`p.`, `chr…:`, or a run of 16 letters, digits and underscores). Most log values have none, and a
 * plain loop is several times cheaper than the rules' combined regular expression.
 *
 * `start` and `end` bound the scan to a part of `s` (a string inside a JSON line) without slicing it; the
 * look-behinds may read before `start`, which can only add false alarms.
 */
export function mayHoldSecret (s: string, start = 0, end = s.length): boolean {
  let run = 0
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i)
    const kind = c < 128 ? CHAR_KIND[c] : OTHER
    // Runs count letters, digits and `_`: token bodies such as github_pat_… mix them.
    if (kind === WORD) {
      if (++run >= 16) return true
      // eyJ (JWT header), xox (Slack); c./p. are handled at the dot, chr at the colon
      if (c === 74 && run >= 3 && s.charCodeAt(i - 1) === 121 && s.charCodeAt(i - 2) === 101) return true
      if (c === 120 && run >= 3 && s.charCodeAt(i - 1) === 111 && s.charCodeAt(i - 2) === 120) return true
      continue
    }
    const word = run
    run = 0
    if (kind === MARK) {
      switch (c) {
        case 64: // @
        case 61: // =
          return true
        case 58: // :  (://, chrN:)
          if (s.charCodeAt(i + 1) === 47 || (i >= 4 && (s.startsWith('chr', i - 4) || s.startsWith('chr', i - 5)))) return true
          break
        case 45: // -  (-----, gl…-)
          if (s.startsWith('----', i + 1) || glPrefix(s, i)) return true
          break
        case 46: // .  (c.123, p.Arg)
          if (i >= 1 && (s.charCodeAt(i - 1) === 99 || s.charCodeAt(i - 1) === 112)) return true
          break
      }
    }
    // Whatever follows Bearer / Basic (\s covers more than ASCII spaces), check the word that just ended.
    if (word >= 5 && (endsWithWord(s, i, 'bearer') || endsWithWord(s, i, 'basic'))) return true
  }
  return false
}

const OTHER = 0
const WORD = 1
const MARK = 2
const CHAR_KIND = new Uint8Array(128)
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c)
  CHAR_KIND[c] = /[A-Za-z0-9_]/.test(ch) ? WORD : '@=:-.'.includes(ch) ? MARK : OTHER
}

function glPrefix (s: string, dash: number): boolean {
  for (let k = dash - 2; k >= Math.max(0, dash - 6); k--) {
    if (s.charCodeAt(k) === 103 && s.charCodeAt(k + 1) === 108) return true
  }
  return false
}

function endsWithWord (s: string, end: number, word: string): boolean {
  const start = end - word.length
  if (start < 0) return false
  for (let k = 0; k < word.length; k++) {
    if ((s.charCodeAt(start + k) | 32) !== word.charCodeAt(k)) return false
  }
  return true
}
