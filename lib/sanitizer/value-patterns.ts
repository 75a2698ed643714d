import { ibanValid, luhnValid } from './checksums.js'
import { Mark } from './marks.js'
import { tokenFormatsPattern } from './token-formats.js'
import { ASSIGNED_SECRET_PATTERN, COMMAND_LINE_PATTERN, type Span, assignedSecret, commandLineSecret, elementSecret, urlPassword } from './text-values.js'

/** A value rule: every match of `pattern` is replaced by `replacement` (`$1`-style groups allowed). */
export interface PatternRule {
  /** Regular expression source, as a string so that rules survive structured clone. */
  pattern: string
  /** RegExp flags besides `g`, which is always added. */
  flags?: string
  /** Defaults to `[REDACTED]`. */
  replacement?: string
}

/** A built-in rule: named, with examples it must redact, and an optional check of each match. */
export interface BuiltInRule extends PatternRule {
  name: string
  /** Strings the rule must redact: the tests plant them, the benchmark builds attack strings from them. */
  examples: string[]
  /** A match is redacted only when this accepts it (checksums). */
  accept?: (match: string) => boolean
  /** The prefilter marks (see marks.ts) that every match shows at least one of. */
  marks: number
  /**
   * Instead of `replacement`: what a match redacts, found by a forward scan from it (a value's whole
   * length, its matching bracket), or null to leave it. Scanning resumes after the span, so each
   * character is read about once.
   */
  span?: (s: string, m: RegExpExecArray) => Span | null
}

/**
 * Built-in value rules, applied in this order. Each is linear in its input on a backtracking engine:
 * a match may start only where the run of its first character class starts (a look-behind says so),
 * and what follows is literals, bounded repeats, or runs that the next token cannot also match. The
 * benchmark (bench/sanitizer.ts) and test/sanitizer-redos.unit.test.ts attack every rule to hold them to it.
 */
export const VALUE_PATTERNS: readonly BuiltInRule[] = [
  {
    name: 'private key block',
    marks: Mark.Dashes,
    pattern: String.raw`-----BEGIN[ A-Z0-9_-]{0,40}PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END[ A-Z0-9_-]{0,40}PRIVATE KEY(?: BLOCK)?-----|$)`,
    replacement: '[REDACTED_PRIVATE_KEY]',
    examples: ['-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA75x\n-----END RSA PRIVATE KEY-----', '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA']
  },
  {
    name: 'webhook URL',
    marks: Mark.Scheme,
    pattern: String.raw`https://(?:hooks\.slack\.com/(?:services|workflows|triggers)|discord(?:app)?\.com/api/webhooks|[A-Za-z0-9-]+\.webhook\.office\.com/webhookb2)/[^\s"'<>]+`,
    replacement: '[REDACTED_TOKEN]',
    examples: ['https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX', 'https://discord.com/api/webhooks/123456789/abcDEF-ghi']
  },
  {
    // The user name, then urlPassword reads the password to the last @ before the host.
    name: 'URL password',
    marks: Mark.Scheme,
    pattern: String.raw`://[^\s:/?#@]{0,256}:`,
    span: urlPassword,
    examples: ['postgres://app:s3cr3t-pw@db.internal:5432/prod', 'redis://:p@ss@word@cache:6379', 'https://u:x@example.com/', 'postgres://app:pa/ss@db/prod', 'postgres://app:pa#ss@db/prod', 'redis://u:pa ss@h']
  },
  {
    name: 'Authorization header',
    marks: Mark.KeyWord,
    pattern: String.raw`(?<![A-Za-z0-9_])(authorization\\?["']?\s{0,4}(?::=|[:=])\s{0,4}\\?["']?(?:(?:bearer|basic|token|digest|negotiate|apikey|api-key|sso-key|hmac|key)\s+)?)[^\s"'\\,;]+`,
    flags: 'i',
    replacement: '$1[REDACTED]',
    examples: ['Authorization: Token 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b', '{"authorization":"abcdef123456"}']
  },
  {
    name: 'Cookie header',
    marks: Mark.KeyWord,
    pattern: String.raw`(?<![A-Za-z0-9_])((?:set-)?cookie\\?["']?\s{0,4}:\s{0,4}\\?["']?)[^\r\n"'\\]+`,
    flags: 'i',
    replacement: '$1[REDACTED]',
    examples: ['Cookie: sid=31d4d96e407aad42; theme=dark', 'Set-Cookie: session=abc123; HttpOnly']
  },
  {
    name: 'Bearer or Basic credentials',
    marks: Mark.Bearer,
    pattern: String.raw`\b(Bearer|Basic)\s+[A-Za-z0-9._~+/-]{8,}=*`,
    flags: 'i',
    replacement: '$1 [REDACTED]',
    examples: ['Bearer 9f8e7d6c5b4a39281706abcdef', 'Basic dXNlcjpwYXNzd29yZA==', 'auth Bearer\u00a0abcdefghijkl']
  },
  {
    // password=…, "api_key": […], DB_PASSWORD=…, ?access_token=…, pin_code=…: a name that the key lists
    // mark (textKeyKind), then the whole value, however long (assignedSecret).
    name: 'secret assigned in text',
    marks: Mark.KeyWord,
    pattern: ASSIGNED_SECRET_PATTERN,
    span: assignedSecret,
    examples: [
      'password: hunter2', '{"password":"hunter2"}', 'DB_PASSWORD=hunter2', 'PGPASSWORD=hunter2', 'GET /cb?code=1&access_token=abc123xyz',
      'fetch failed: https://api.example.com/v1?api_key=abc123xyz&q=1', 'client_secret=abc123xyz', 'db_pass=hunter2',
      'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'Server=db;User Id=app;Password=hunter2;Database=x',
      '{\\"password\\":\\"hunter2\\"}', "password => 'hunter 2'", '"password": ["hunter2"]', '{"password": {"value":"hunter2"}}',
      'cvv=777&pin_code=4321', '{"cvv":"123","ssn":"078051120"}', 'password\t\t\t\t\t=hunter2', 'passw0rd=hunter2', 'pw=hunter2'
    ]
  },
  {
    name: 'secret element',
    marks: Mark.KeyWord,
    pattern: String.raw`<([A-Za-z0-9_.:-]{1,64})>`,
    span: elementSecret,
    examples: ['<password>hunter2</password>', '<api_key>abc123</api_key>']
  },
  {
    name: 'password on a command line',
    marks: Mark.Command,
    pattern: COMMAND_LINE_PATTERN,
    flags: 'i',
    span: commandLineSecret,
    examples: ['curl -u admin:hunter2 https://x', 'mysql -u root -phunter2 db']
  },
  {
    name: 'AWS access key id',
    marks: Mark.Run16,
    pattern: String.raw`(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA|A3T[A-Z0-9])[A-Z0-9]{16}(?![A-Za-z0-9])`,
    replacement: '[REDACTED_AWS_KEY]',
    examples: ['AKIAIOSFODNN7EXAMPLE', 'ASIAY34FZKBOKMUTVV7A']
  },
  {
    // 40 base64 characters with a / or +, upper and lower case and a digit.
    name: 'AWS secret access key',
    marks: Mark.Base64,
    pattern: String.raw`(?<![A-Za-z0-9/+=])[A-Za-z0-9][A-Za-z0-9/+]{38}[A-Za-z0-9](?![A-Za-z0-9/+=])`,
    replacement: '[REDACTED_KEY]',
    accept: m => /[/+]/.test(m) && /[A-Z]/.test(m) && /[a-z]/.test(m) && /[0-9]/.test(m),
    examples: ['wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY']
  },
  {
    name: 'service token (prefixed formats)',
    marks: Mark.TokenHead | Mark.Run16,
    pattern: tokenFormatsPattern(),
    replacement: '[REDACTED_TOKEN]',
    examples: ['ghp_16C7e42F292c6912E7710c838347Ae178B4a', 'glpat-ab-cd-ef-gh-ij-kl-mn', 'xoxb-1234-5678-abcd', 'sk_live_4eC39HqLyjWDarjtT1zdp7dc', 'npm_abcdefghijklmnopqrstuvwxyz0123456789']
  },
  {
    name: 'JWT',
    marks: Mark.Jwt,
    pattern: String.raw`(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*`,
    replacement: '[REDACTED_TOKEN]',
    examples: ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhYmMifQ.c2lnbmF0dXJlLXZhbHVl', 'eyJhbGci.eyJzdWIi.c2ln']
  },
  {
    name: 'Azure AD client secret',
    marks: Mark.Tilde,
    pattern: String.raw`(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34}`,
    replacement: '[REDACTED_TOKEN]',
    examples: ['abc8Q~Xy1.Zw2_Vu3~Ts4Rq5Po6Nm7Lk8Jh9Gf0']
  },
  {
    name: 'Telegram bot token',
    marks: Mark.Telegram,
    pattern: String.raw`(?<![0-9])[0-9]{8,10}:AA[A-Za-z0-9_-]{33}`,
    replacement: '[REDACTED_TOKEN]',
    examples: ['123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw9']
  },
  {
    name: 'email address',
    marks: Mark.At,
    // Letters of any script, in the local part and the domain (rené.müller@münchen.de, IDN top-level domains).
    pattern: String.raw`(?<![\p{L}\p{M}\p{N}._%+-])[\p{L}\p{M}\p{N}._%+-]+@[\p{L}\p{M}\p{N}.-]+\.[\p{L}\p{M}]{2,}(?![\p{L}\p{M}\p{N}_])`,
    flags: 'u',
    replacement: '[REDACTED_EMAIL]',
    examples: ['jane.doe@example.com', 'jane.doe+tag@example.co.uk', 'rené.müller@example.de', 'user@münchen.de', 'почта@пример.рф']
  },
  {
    // 32+ letters and digits mixing upper case, lower case and digits (so hex hashes and ids survive).
    name: 'API-key-like string',
    marks: Mark.Run16,
    pattern: String.raw`\b[A-Za-z0-9]{32,}\b`,
    replacement: '[REDACTED_KEY]',
    accept: m => /[A-Z]/.test(m) && /[a-z]/.test(m) && /[0-9]/.test(m),
    examples: ['Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0LmNbVcXz', 'Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z']
  },
  {
    // Issuers' first digits (2-6), 13-19 digits whole or in printed groups (space, dash or dot between
    // groups of 4, the last shorter; or 4-6-5 and 4-6-4), Luhn-checked. Not inside a longer word: a run
    // of digits within a hex id (an OpenTelemetry trace id) is no card.
    name: 'payment card number',
    marks: Mark.Digits13,
    pattern: String.raw`(?<![0-9A-Za-z])[2-6](?:[0-9]{12,18}|${cardGroups(' ')}|${cardGroups('-')}|${cardGroups('\\.')})(?![0-9A-Za-z])`,
    replacement: '[REDACTED_CARD]',
    accept: luhnValid,
    examples: ['4111 1111 1111 1111', '4111-1111-1111-1111', '5500005555555559', '3782 822463 10005', '4111.1111.1111.1111', '3056 9309 0259 04', '3056 930902 5904']
  },
  {
    name: 'IBAN',
    marks: Mark.IbanHead,
    // Upper or lower case; the country's length and the mod-97 check keep hashes and ids out.
    pattern: String.raw`(?<![A-Za-z0-9_])[A-Za-z]{2}[0-9]{2}(?:[A-Za-z0-9]{11,30}|(?: [A-Za-z0-9]{4}){2,7}(?: [A-Za-z0-9]{1,4})?)(?![A-Za-z0-9])`,
    replacement: '[REDACTED_IBAN]',
    accept: ibanValid,
    examples: ['DE89 3704 0044 0532 0130 00', 'GB82WEST12345698765432', 'de89370400440532013000']
  },
  {
    name: 'US social security number',
    marks: Mark.Ssn,
    // With dashes or single spaces between the groups.
    pattern: String.raw`(?<![0-9-])(?!000|666|9)[0-9]{3}(?:-(?!00)[0-9]{2}-|(?<![0-9] [0-9]{3}) (?!00)[0-9]{2} )(?!0000)[0-9]{4}(?![0-9-]| [0-9])`,
    replacement: '[REDACTED_SSN]',
    examples: ['078-05-1120', '123-45-6789', '078 05 1120']
  },
  {
    // HGVS DNA/RNA variants: substitutions, deletions, duplications, insertions, inversions, intronic offsets.
    name: 'HGVS nucleotide variant',
    marks: Mark.Hgvs,
    pattern: String.raw`\b[cgmnr]\.[-*]?[0-9]+(?:[+-][0-9]+)?(?:_[-*]?[0-9]+(?:[+-][0-9]+)?)?(?:[ACGTUacgu]>[ACGTUacgu]|delins[ACGTacgu]+|del[ACGTacgu]*|dup[ACGTacgu]*|ins[ACGTacgu]+|inv)`,
    replacement: '[REDACTED_VARIANT]',
    examples: ['c.123A>G', 'c.100_102delAGT', 'c.76_77insT', 'c.1521_1523delCTT', 'g.7579472C>T', 'c.215+1G>A']
  },
  {
    name: 'HGVS protein variant',
    marks: Mark.Hgvs,
    pattern: String.raw`\bp\.\(?[A-Z][a-z]{2}[0-9]+(?:[A-Z][a-z]{2}|\*|fs|=|del|dup|ins)`,
    replacement: '[REDACTED_VARIANT]',
    examples: ['p.Arg97Gly', 'p.Trp24*', 'p.(Arg72Pro)']
  },
  {
    // Ranges and single positions (chr17:7579472, chr7:117,559,590-117,559,592).
    name: 'genomic coordinate',
    marks: Mark.Chr,
    pattern: String.raw`\bchr(?:[0-9]{1,2}|[XYM]|MT):[0-9][0-9,]*(?:-[0-9][0-9,]*)?`,
    replacement: '[REDACTED_COORDINATE]',
    examples: ['chr17:7579472', 'chr7:117559590-117559592', 'chrX:100-200', 'chrMT:8993']
  }
]

/** Card print groups with one separator: 4-4-4-(1..4)[-(1..3)], 4-6-4 and 4-6-5. */
function cardGroups (sep: string): string {
  return `[0-9]{3}(?:${sep}[0-9]{4}){2}${sep}[0-9]{1,4}(?:${sep}[0-9]{1,3})?|[0-9]{3}${sep}[0-9]{6}${sep}[0-9]{4,5}`
}

export interface CompiledRule {
  /** The rule's name, or the option it came from (`sanitize.patterns[2]`). */
  name: string
  /** Prefilter marks that let the rule run (built-in rules); user rules run on every value. */
  marks: number
  /** Whether the rule may change `s`: one cheap test before the replace. */
  test: (s: string) => boolean
  replace: (s: string) => string
}

/** The built-in rules, compiled for V8's engine (they are linear by construction, see above). */
export function compileBuiltIns (rules: readonly BuiltInRule[] = VALUE_PATTERNS): CompiledRule[] {
  return rules.map(rule => {
    const re = new RegExp(rule.pattern, (rule.flags ?? '') + 'g')
    const replacement = rule.replacement ?? '[REDACTED]'
    const accept = rule.accept
    const span = rule.span
    if (span !== undefined) return { name: rule.name, marks: rule.marks, test: () => true, replace: (s: string) => replaceSpans(s, re, span) }
    const replace = accept === undefined
      ? (s: string) => s.replace(re, replacement)
      : (s: string) => s.replace(re, m => accept(m) ? replacement : m)
    return { name: rule.name, marks: rule.marks, test: () => true, replace }
  })
}

/** Applies a span rule over the whole string, resuming after each span (so the cost stays linear). */
function replaceSpans (s: string, re: RegExp, span: (s: string, m: RegExpExecArray) => Span | null): string {
  let out = ''
  let done = 0
  re.lastIndex = 0
  for (let m = re.exec(s); m !== null; m = re.exec(s)) {
    const end = m.index + m[0].length
    const found = span(s, m)
    if (found !== null && found.from >= done) {
      out += s.slice(done, found.from) + found.text
      done = found.to
      re.lastIndex = Math.max(found.to, end)
    } else {
      re.lastIndex = end > m.index ? end : end + 1
    }
  }
  return done === 0 ? s : out + s.slice(done)
}
