/**
 * The reference design's SENSITIVE_KEYS, and more. A key is sensitive when its normalised form (lower
 * case, without separators `_`, `-`, `.` and spaces, without invisible characters) contains one of
 * these as a substring.
 */
export const SENSITIVE_KEYS: readonly string[] = [
  // Authentication and security
  'token', 'accesstoken', 'authtoken', 'jwt', 'password', 'passwd', 'pwd',
  'key', 'apikey', 'api_key', 'secretkey', 'secret_key', 'privatekey',
  'private_key', 'secret', 'apisecret', 'api_secret', 'authorization',
  'bearer', 'credential', 'credentials',
  // Beyond the reference: cookies and session ids are credentials too
  'cookie', 'passphrase', 'sessionid', 'sessid', 'signature', 'passw0rd', 'passcode', 'pincode',
  // User identifiers
  'email', 'emailaddress', 'phone', 'phonenumber',
  // Payment data
  'cardnumber', 'creditcard',
  // Genetic data
  'variant', 'variants', 'mutation', 'mutations', 'hgvs', 'hgvs_notation'
]

/**
 * Short words that make a key sensitive only as a whole word of it (split at `_`, `-`, `.`, spaces and
 * camelCase): `auth`, `db_pass`, `X-Auth` and `userPin` are, `author`, `passenger` and `spinner` are not.
 */
export const SENSITIVE_KEY_WORDS: readonly string[] = ['auth', 'pass', 'pw', 'pin', 'otp', 'ssn', 'iban', 'cvv', 'cvc', 'cvv2', 'cvc2', 'sig']

// Fullwidth and other compatibility forms (ＰＡＳＳＷＯＲＤ) fold to ASCII before any comparison.
export const NON_ASCII = /[\u0080-\uffff]/

// Characters that print as nothing: inside a word (pass\u200bword, to\u00adken) they hide it from a
// comparison, so every comparison drops them. Soft hyphen, Mongolian vowel separator, zero-width
// space/non-joiner/joiner, LRM/RLM, word joiner and invisible operators, BOM.
const INVISIBLE = /[\u00ad\u180e\u200b-\u200f\u2060-\u2064\ufeff]/g

/** `s` in NFKC form without invisible characters, when it holds anything beyond ASCII. */
export function foldText (s: string): string {
  return NON_ASCII.test(s) ? s.normalize('NFKC').replace(INVISIBLE, '') : s
}

export const foldKey = foldText

/** A key as the lists compare it: folded, lower case, without `_`, `-`, `.` and spaces (so `p.a.s.s.w.o.r.d`). */
export function normalizeKey (key: string): string {
  return foldKey(key).toLowerCase().replace(/[_.\s-]/g, '')
}

/** The words of a key, lower case: `X-Auth-Token` → x, auth, token; `dbPass` → db, pass. */
export function keyWords (key: string): string[] {
  return foldKey(key).replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase().split(/[^a-z0-9]+/)
}

/** The longest tail of a name in text that {@link isTextKey} reads (the prefilter reads as far back). */
export const TEXT_KEY_TAIL = 64

// These have rules of their own for bare values (a scheme before the token, a cookie list to the line end).
const HEADER_KEYS = ['authorization', 'cookie', 'cookies']

/**
 * Whether a name in text (`DB_PASSWORD=`, `"api_key":`, `pin_code=`) names a secret: the same lists as
 * object keys, but a fragment must END the name (so `tokens_used=` and `max_tokens=` stay), and
 * three-letter fragments (`key`, `pwd`, `jwt`) must be its last word (so `monkey=` stays). A short word
 * (`pin`, `cvv`, `pw`) counts anywhere as a whole word. Returns 'header' for Authorization/Cookie names.
 */
export function textKeyKind (name: string): 'secret' | 'header' | null {
  if (name.length > TEXT_KEY_TAIL) name = name.slice(-TEXT_KEY_TAIL)
  // Names repeat (every `"level":` of a JSON line): most calls are a lookup.
  let kind = kindCache.get(name)
  if (kind === undefined) {
    kind = textKeyKindOf(name)
    if (kindCache.size >= 10_000) kindCache.clear()
    kindCache.set(name, kind)
  }
  return kind
}

const kindCache = new Map<string, 'secret' | 'header' | null>()

function textKeyKindOf (name: string): 'secret' | 'header' | null {
  const norm = normalizeKey(name)
  if (HEADER_KEYS.some(h => norm.endsWith(h))) return 'header'
  const words = keyWords(name).filter(w => w !== '')
  if (words.some(w => SENSITIVE_KEY_WORDS.includes(w))) return 'secret'
  const last = words[words.length - 1] ?? ''
  for (const f of TEXT_FRAGMENTS) {
    if (f.length >= 4 ? norm.endsWith(f) : last === f) return 'secret'
  }
  return null
}

const TEXT_FRAGMENTS = [...new Set(SENSITIVE_KEYS.map(normalizeKey))]
