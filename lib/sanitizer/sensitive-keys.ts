/**
 * The reference design's SENSITIVE_KEYS, and more. A key is sensitive when its normalised form (lower
 * case, without `_` and `-`) contains one of these as a substring.
 */
export const SENSITIVE_KEYS: readonly string[] = [
  // Authentication and security
  'token', 'accesstoken', 'authtoken', 'jwt', 'password', 'passwd', 'pwd',
  'key', 'apikey', 'api_key', 'secretkey', 'secret_key', 'privatekey',
  'private_key', 'secret', 'apisecret', 'api_secret', 'authorization',
  'bearer', 'credential', 'credentials',
  // Beyond the reference: cookies and session ids are credentials too
  'cookie', 'passphrase', 'sessionid',
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
export const SENSITIVE_KEY_WORDS: readonly string[] = ['auth', 'pass', 'pin', 'otp', 'ssn', 'iban', 'cvv', 'cvc', 'sig']

export function normalizeKey (key: string): string {
  return key.toLowerCase().replace(/[_-]/g, '')
}

/** The words of a key, lower case: `X-Auth-Token` → x, auth, token; `dbPass` → db, pass. */
export function keyWords (key: string): string[] {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase().split(/[^a-z0-9]+/)
}
