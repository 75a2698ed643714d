/**
 * What the prefilter can see in one pass, as bits. Each built-in rule names the marks any of its
 * matches must show, so a value runs only the rules whose marks it has.
 */
export const Mark = {
  At: 1 << 0,
  Scheme: 1 << 1,
  /** A key word of the text rules before `:` or `=` (password:, "api_key"=, Authorization:). */
  KeyWord: 1 << 2,
  Chr: 1 << 3,
  Telegram: 1 << 4,
  Dashes: 1 << 5,
  Ssn: 1 << 6,
  Hgvs: 1 << 7,
  Tilde: 1 << 8,
  TokenHead: 1 << 9,
  IbanHead: 1 << 10,
  Jwt: 1 << 11,
  /** A run of 16 letters, digits and `_`. */
  Run16: 1 << 12,
  /** A run of 32 base64 characters. */
  Base64: 1 << 13,
  /** 13 digits, whole or in print groups. */
  Digits13: 1 << 14,
  Bearer: 1 << 15,
  /** `curl` or `mysql` where a word starts. */
  Command: 1 << 16,
  /** A character that NFKC may fold (fullwidth, ligatures, …): no rule needs it, the sanitizer folds. */
  Compat: 1 << 17,
  /** A `%XX` escape: no rule needs it, the sanitizer reads the decoded form too. */
  Encoded: 1 << 18
} as const

export const ALL_MARKS = (1 << 19) - 1
