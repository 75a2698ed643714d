/** A value rule: every match of `pattern` is replaced by `replacement` (`$1`-style groups allowed). */
export interface PatternRule {
  /** Regular expression source, as a string so that rules survive structured clone. */
  pattern: string
  /** RegExp flags besides `g`, which is always added. */
  flags?: string
  /** Defaults to `[REDACTED]`. */
  replacement?: string
}

/**
 * Built-in value rules, applied in this order. Credential formats come before the generic ones so a
 * GitHub token is reported as a token and a URL password is cut before the email rule sees `user@host`.
 */
export const VALUE_PATTERNS: readonly PatternRule[] = [
  // Private key blocks, also when a length cap cut off the END line.
  { pattern: '-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----[\\s\\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----|$)', replacement: '[REDACTED_PRIVATE_KEY]' },
  // scheme://user:password@host
  { pattern: '\\b([a-z][a-z0-9+.-]*://[^\\s:/?#@]*):[^\\s@/]+@', flags: 'i', replacement: '$1:[REDACTED]@' },
  // password=... in libpq / ADO / query strings
  { pattern: '\\b(password|passwd|pwd)\\s*=\\s*[^\\s;&]+', flags: 'i', replacement: '$1=[REDACTED]' },
  // Authorization values
  { pattern: '\\b(Bearer|Basic)\\s+[A-Za-z0-9._~+/-]{8,}=*', flags: 'i', replacement: '$1 [REDACTED]' },
  // AWS access key ids
  { pattern: '\\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[0-9A-Z]{16}\\b', replacement: '[REDACTED_AWS_KEY]' },
  // GitHub tokens
  { pattern: '\\bgh[pousr]_[A-Za-z0-9]{36,255}\\b', replacement: '[REDACTED_TOKEN]' },
  { pattern: '\\bgithub_pat_[A-Za-z0-9_]{22,255}\\b', replacement: '[REDACTED_TOKEN]' },
  // GitLab tokens
  { pattern: '\\bgl(?:pat|dt|rt|ptt|cbt|soat|ft|imt)-[A-Za-z0-9_-]{20,}', replacement: '[REDACTED_TOKEN]' },
  // Slack tokens and webhooks
  { pattern: '\\bxox[abposr]-[A-Za-z0-9-]{10,}', replacement: '[REDACTED_TOKEN]' },
  { pattern: 'https://hooks\\.slack\\.com/services/[A-Za-z0-9/]+', replacement: '[REDACTED_TOKEN]' },
  // Stripe secret and restricted keys
  { pattern: '\\b[sr]k_(?:live|test)_[A-Za-z0-9]{16,}\\b', replacement: '[REDACTED_KEY]' },
  // JWTs: a base64url JSON header always starts with eyJ
  { pattern: '\\beyJ[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]*', replacement: '[REDACTED_TOKEN]' },
  // Emails
  { pattern: '\\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}\\b', replacement: '[REDACTED_EMAIL]' },
  // API-key-like: 32+ alphanumerics mixing upper case, lower case and digits (so hex hashes survive)
  { pattern: '\\b(?=[A-Za-z0-9]*[A-Z])(?=[A-Za-z0-9]*[a-z])(?=[A-Za-z0-9]*[0-9])[A-Za-z0-9]{32,}\\b', replacement: '[REDACTED_KEY]' },
  // HGVS DNA variants
  { pattern: '\\bc\\.\\d+[ACGT]>[ACGT]\\b', replacement: '[REDACTED_VARIANT]' },
  { pattern: '\\bc\\.\\d+(?:_\\d+)?del[ACGT]*\\b', replacement: '[REDACTED_VARIANT]' },
  { pattern: '\\bc\\.\\d+_\\d+ins[ACGT]+\\b', replacement: '[REDACTED_VARIANT]' },
  { pattern: '\\bc\\.\\d+(?:_\\d+)?dup[ACGT]*\\b', replacement: '[REDACTED_VARIANT]' },
  // HGVS protein variants
  { pattern: '\\bp\\.[A-Z][a-z]{2}\\d+(?:[A-Z][a-z]{2}|\\*|fs)', replacement: '[REDACTED_VARIANT]' },
  // Genomic coordinates
  { pattern: '\\bchr(?:\\d{1,2}|[XYM]):\\d+-\\d+\\b', replacement: '[REDACTED_COORDINATE]' }
]

export interface CompiledRule {
  re: RegExp
  replacement: string
}

/** Compiles rules, naming the offending one when a pattern is not a valid regular expression. */
export function compileRules (rules: readonly (PatternRule | string)[], source: string): CompiledRule[] {
  return rules.map((rule, i) => {
    const r = typeof rule === 'string' ? { pattern: rule } : rule
    if (!r || typeof r.pattern !== 'string' || r.pattern === '') {
      throw new TypeError(`curator-log: ${source}[${i}] must be a non-empty pattern string or { pattern, flags?, replacement? }`)
    }
    const flags = (r.flags ?? '').replace(/g/g, '') + 'g'
    try {
      return { re: new RegExp(r.pattern, flags), replacement: r.replacement ?? '[REDACTED]' }
    } catch (err) {
      throw new TypeError(`curator-log: ${source}[${i}] is not a valid regular expression (${JSON.stringify(r.pattern)}): ${(err as Error).message}`)
    }
  })
}
