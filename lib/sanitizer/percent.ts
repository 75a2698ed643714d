// `%XX` escapes: a URL path or query may carry what the rules redact in encoded form
// (jane.doe%40example.com, password%3Dx, %22token%22%3A%22x%22).
const ESCAPE = /%[0-9A-Fa-f]{2}/
const ESCAPE_RUN = /(?:%[0-9A-Fa-f]{2})+/g
const STRAY = /%(?![0-9A-Fa-f]{2})/g
const UTF8 = new TextDecoder('utf-8')

/**
 * `s` with every run of `%XX` escapes decoded as UTF-8 (a malformed sequence becomes U+FFFD), twice
 * over for text encoded twice (`%2540`). `s` itself when it holds no escape. Linear: each pass is one
 * scan.
 */
export function percentDecoded (s: string): string {
  for (let round = 0; round < 2 && ESCAPE.test(s); round++) s = decodeOnce(s)
  return s
}

function decodeOnce (s: string): string {
  try {
    // Native and fast. A stray `%` (100% done, an escape cut by a cap) is kept as one; a malformed
    // UTF-8 sequence makes it refuse the whole string, decoded run by run then.
    return decodeURIComponent(s.replace(STRAY, '%25'))
  } catch {
    return s.replace(ESCAPE_RUN, decodeRun)
  }
}

function decodeRun (run: string): string {
  const bytes = new Uint8Array(run.length / 3)
  let ascii = true
  for (let i = 0; i < bytes.length; i++) {
    bytes[i] = parseInt(run.slice(3 * i + 1, 3 * i + 3), 16)
    if (bytes[i]! >= 0x80) ascii = false
  }
  // Most escapes are ASCII punctuation (%3D, %40, %22): no decoder call for those.
  return ascii ? String.fromCharCode(...bytes) : UTF8.decode(bytes)
}
