/** Luhn's check digit, as card numbers carry it; separators (space, dash) are skipped. */
export function luhnValid (text: string): boolean {
  let sum = 0
  let double = false
  let digits = 0
  for (let i = text.length - 1; i >= 0; i--) {
    const c = text.charCodeAt(i) - 48
    if (c < 0 || c > 9) continue
    digits++
    let d = c
    if (double) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
    double = !double
  }
  return digits >= 12 && sum % 10 === 0
}

/** ISO 13616 IBAN check (mod 97 of the rearranged digits); spaces are skipped. */
export function ibanValid (text: string): boolean {
  const s = text.replace(/ /g, '').toUpperCase()
  if (s.length < 15 || s.length > 34) return false
  let rest = 0
  const rearranged = s.slice(4) + s.slice(0, 4)
  for (let i = 0; i < rearranged.length; i++) {
    const c = rearranged.charCodeAt(i)
    const v = c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 90 ? c - 55 : -1
    if (v < 0) return false
    rest = v > 9 ? (rest * 100 + v) % 97 : (rest * 10 + v) % 97
  }
  return rest === 1
}
