import { LosslessNumber, isLosslessNumber, stringify } from 'lossless-json'
import { fitsNumeric } from './numeric-range.js'

export { isLosslessNumber } from 'lossless-json'

// A parsed string can start with NUL only where the text escapes it; other marks are tried after it.
const MARKS = ['\u0000', '\uFFFF', '\uFDD0']

/**
 * JSON.parse, except that a number whose text doubles would change (an integer past 2^53, a long
 * decimal, `1.50`, `-0`, `1e400`) becomes a LosslessNumber holding that text, and one PostgreSQL's
 * numeric cannot hold (see fitsNumeric: a BigInt of 131073 digits, `1e400000`) becomes a string of
 * that text, so that its row still loads. A repeated key keeps
 * its last value, as with JSON.parse (lossless-json's own parser refuses repeated keys, which pino
 * lines carry by design). Throws what JSON.parse throws.
 */
export function parseExact (text: string): unknown {
  const inexact = inexactNumbers(text)
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

/** Where the numbers are (outside strings) whose text doubles would change; strings are skipped by indexOf. */
function inexactNumbers (text: string): Array<[number, number]> | undefined {
  let found: Array<[number, number]> | undefined
  const n = text.length
  let i = 0
  while (i < n) {
    const c = text.charCodeAt(i)
    if (c === 34) {
      let q = text.indexOf('"', i + 1)
      for (;;) {
        if (q < 0) return found
        let b = q - 1
        while (text.charCodeAt(b) === 92) b--
        if (((q - 1 - b) & 1) === 0) break
        q = text.indexOf('"', q + 1)
      }
      i = q + 1
    } else if (c === 45 || (c >= 48 && c <= 57)) {
      let j = i + 1
      while (j < n && isNumberChar(text.charCodeAt(j))) j++
      if (changes(text.slice(i, j))) (found ??= []).push([i, j])
      i = j
    } else i++
  }
  return found
}

function isNumberChar (c: number): boolean {
  return (c >= 48 && c <= 57) || c === 46 || c === 101 || c === 69 || c === 43 || c === 45
}

function changes (t: string): boolean {
  if (t.length <= 15 && !/[.eE]/.test(t) && t !== '-0') return false
  return String(Number(t)) !== t
}

function unmark (v: unknown, mark: string): unknown {
  if (typeof v === 'string') return v.startsWith(mark) ? exactNumber(v.slice(mark.length)) : v
  if (v === null || typeof v !== 'object') return v
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = unmark(v[i], mark)
  } else {
    const o = v as Record<string, unknown>
    for (const k of Object.keys(o)) {
      // A number where a key must be a string ({1.50:"x"}): the text was no JSON.
      if (k.startsWith(mark)) throw new SyntaxError(`Unexpected number ${k.slice(mark.length)} where a key was expected in JSON`)
      o[k] = unmark(o[k], mark)
    }
  }
  return v
}

function exactNumber (text: string): LosslessNumber | string {
  // The constructor throws on what is no JSON number (`1-2`), as JSON.parse would have.
  const n = new LosslessNumber(text)
  return fitsNumeric(text) ? n : text
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
