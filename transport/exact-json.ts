import { LosslessNumber, isLosslessNumber, stringify } from 'lossless-json'

export { isLosslessNumber } from 'lossless-json'

// A string or a number token, in document order: numbers are only ever found outside strings.
const TOKEN = /"[^"\\]*(?:\\.[^"\\]*)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g
// A parsed string can start with NUL only where the text escapes it; other marks are tried after it.
const MARKS = ['\u0000', '\uFFFF', '\uFDD0']

/**
 * JSON.parse, except that a number whose text doubles would change (an integer past 2^53, a long
 * decimal, `1.50`, `-0`, `1e400`) becomes a LosslessNumber holding that text. A repeated key keeps
 * its last value, as with JSON.parse (lossless-json's own parser refuses repeated keys, which pino
 * lines carry by design). Throws what JSON.parse throws.
 */
export function parseExact (text: string): unknown {
  let inexact: Array<[number, number]> | undefined
  TOKEN.lastIndex = 0
  for (let m = TOKEN.exec(text); m !== null; m = TOKEN.exec(text)) {
    const t = m[0]
    if (t.charCodeAt(0) === 34 || !changes(t)) continue
    ;(inexact ??= []).push([m.index, m.index + t.length])
  }
  if (inexact === undefined) return JSON.parse(text)
  const mark = MARKS.find(c => !text.includes(c) && !text.toLowerCase().includes('\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')))
  if (mark === undefined) return JSON.parse(text)
  // Each such number is read as a marked string, which nothing else in this text can parse to.
  let out = ''
  let at = 0
  for (const [from, to] of inexact) {
    out += text.slice(at, from) + JSON.stringify(mark + text.slice(from, to))
    at = to
  }
  return unmark(JSON.parse(out + text.slice(at)), mark)
}

function changes (t: string): boolean {
  if (t.length <= 15 && !/[.eE]/.test(t) && t !== '-0') return false
  return String(Number(t)) !== t
}

function unmark (v: unknown, mark: string): unknown {
  if (typeof v === 'string') return v.startsWith(mark) ? new LosslessNumber(v.slice(mark.length)) : v
  if (v === null || typeof v !== 'object') return v
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = unmark(v[i], mark)
  } else {
    const o = v as Record<string, unknown>
    for (const k of Object.keys(o)) o[k] = unmark(o[k], mark)
  }
  return v
}

/** JSON.stringify that writes a LosslessNumber as its own text. */
export function stringifyExact (value: unknown): string {
  return hasExact(value, 0) ? stringify(value) as string : JSON.stringify(value)
}

function hasExact (v: unknown, depth: number): boolean {
  if (v === null || typeof v !== 'object') return false
  if (isLosslessNumber(v)) return true
  if (depth > 64) return true
  for (const k in v) if (Object.hasOwn(v, k) && hasExact((v as Record<string, unknown>)[k], depth + 1)) return true
  return false
}

/** A number's text and value, for a parsed number or LosslessNumber; undefined for anything else. */
export function numberText (v: unknown): string | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : undefined
  return isLosslessNumber(v) ? (v as LosslessNumber).toString() : undefined
}

/** The double nearest to a parsed number or LosslessNumber (NaN for anything else). */
export function numberValue (v: unknown): number {
  if (typeof v === 'number') return v
  return isLosslessNumber(v) ? Number((v as LosslessNumber).toString()) : NaN
}
