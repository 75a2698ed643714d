// `%XX` escapes: a URL path or query may carry what the rules redact in encoded form
// (jane.doe%40example.com, password%3Dx, %22token%22%3A%22x%22).
const ESCAPE = /%[0-9A-Fa-f]{2}/
const ESCAPE_RUN = /(?:%[0-9A-Fa-f]{2})+/g
const UTF8 = new TextDecoder('utf-8')

/**
 * `s` with every run of `%XX` escapes decoded as UTF-8 (a malformed sequence becomes U+FFFD), twice
 * over for text encoded twice (`%2540`). `s` itself when it holds no escape. Linear: each pass is one
 * scan.
 */
export function percentDecoded (s: string): string {
  for (let round = 0; round < 2 && ESCAPE.test(s); round++) s = s.replace(ESCAPE_RUN, decodeRun)
  return s
}

function decodeRun (run: string): string {
  const bytes = new Uint8Array(run.length / 3)
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(run.slice(3 * i + 1, 3 * i + 3), 16)
  return UTF8.decode(bytes)
}
