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
  if (IBAN_LENGTHS[s.slice(0, 2)] !== s.length) return false
  // A hex id (an OpenTelemetry span id such as be4873812967b8b7) may pass the length and mod-97 checks
  // by chance; where a country's account number is digits only, a letter in it is no IBAN.
  if (NUMERIC_BBAN.has(s.slice(0, 2)) && !/^[0-9]+$/.test(s.slice(4))) return false
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

// Countries whose account number (BBAN) is digits only (ISO 13616 registry).
const NUMERIC_BBAN = new Set('AE AT BA BE CZ DE DK EE ES FI FO GL HR HU IL IS LT ME NO PL PT RS SE SI SK TL TN XK'.split(' '))

// IBAN length by country (ISO 13616 registry): a hash or id that starts like an IBAN rarely has both.
const IBAN_LENGTHS: Record<string, number> = Object.fromEntries(
  ('AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BI27 BR29 BY28 CH21 CR22 CY28 CZ24 DE22 DJ27 DK18 DO28 EE20 EG29 ES24 ' +
  'FI18 FK18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28 HN28 HR21 HU28 IE22 IL23 IQ23 IS26 IT27 JO30 KW30 KZ20 LB28 LC32 ' +
  'LI21 LT20 LU20 LV21 LY25 MC27 MD24 ME22 MK19 MN20 MR27 MT31 MU30 NI28 NL18 NO15 OM23 PK24 PL28 PS29 PT25 QA29 RO24 ' +
  'RS22 RU33 SA24 SC31 SD18 SE24 SI19 SK24 SM27 SO23 ST25 SV28 TL23 TN24 TR26 UA29 VA22 VG24 XK20 YE30')
    .split(' ').map(e => [e.slice(0, 2), Number(e.slice(2))])
)
