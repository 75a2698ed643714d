// PostgreSQL's numeric (and so every number in jsonb) holds at most 131072 digits before the decimal
// point (weight 32767 in base-10000 digits) and 16383 after it (its dscale), counted after the exponent
// is applied; an exponent past 2^30 - 1 (INT_MAX / 2) is refused before that. PostgreSQL reports 22003
// "value overflows numeric format" for anything else, and the whole batch fails.
const MAX_INTEGER_DIGITS = 131_072
const MAX_FRACTION_DIGITS = 16_383
const MAX_EXPONENT = 1_073_741_823
const NUMBER = /^-?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/

/** Whether PostgreSQL's numeric (and jsonb) can hold the number written as `text` (JSON number syntax). */
export function fitsNumeric (text: string): boolean {
  const m = NUMBER.exec(text)
  if (m === null) return false
  const whole = m[1] ?? ''
  const fraction = m[2] ?? ''
  // Parsed as a number only when short: a longer exponent is out of range either way.
  const exponent = m[3] === undefined ? 0 : m[3].replace(/^[+-]?0*/, '').length > 10 ? Infinity : Number(m[3])
  if (Math.abs(exponent) > MAX_EXPONENT) return false
  if (fraction.length - exponent > MAX_FRACTION_DIGITS) return false
  const first = (whole + fraction).search(/[1-9]/)
  // Zero in any spelling is 0; only its fraction digits (the dscale) count.
  if (first < 0) return true
  return whole.length + exponent - first <= MAX_INTEGER_DIGITS
}
