// Date#toISOString costs close to a microsecond, and it is called once per row. Rows come in time
// order, many to a second: the text up to the second is kept and only the milliseconds are written.
let second = NaN
let prefix = ''
const MILLIS = Array.from({ length: 1000 }, (_, ms) => String(ms).padStart(3, '0') + 'Z')

/** `new Date(ms).toISOString()`, for any time a Date can hold. */
export function isoTime (ms: number): string {
  // A Date drops the fraction of a millisecond towards zero, as its constructor does.
  const t = Math.trunc(ms)
  const s = Math.floor(t / 1000)
  if (s !== second) {
    const iso = new Date(t).toISOString()
    // Years before 0 or after 9999 are written with six digits and a sign: not worth a cache.
    if (iso.length !== 24) return iso
    second = s
    prefix = iso.slice(0, 20)
  }
  return prefix + MILLIS[t - s * 1000]
}
