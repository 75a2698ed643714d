/**
 * The reference design's SENSITIVE_KEYS. A key is sensitive when its normalised form (lower case,
 * without `_` and `-`) contains one of these as a substring.
 */
export const SENSITIVE_KEYS: readonly string[] = [
  // Authentication and security
  'token', 'accesstoken', 'authtoken', 'jwt', 'password', 'passwd', 'pwd',
  'key', 'apikey', 'api_key', 'secretkey', 'secret_key', 'privatekey',
  'private_key', 'secret', 'apisecret', 'api_secret', 'authorization',
  'bearer', 'credential', 'credentials',
  // User identifiers
  'email', 'emailaddress', 'phone', 'phonenumber',
  // Genetic data
  'variant', 'variants', 'mutation', 'mutations', 'hgvs', 'hgvs_notation'
]

export function normalizeKey (key: string): string {
  return key.toLowerCase().replace(/[_-]/g, '')
}
