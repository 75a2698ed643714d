import { setField } from '../../sanitizer/values.js'
import { paramsObject } from './request-info.js'

/** Bodies up to this many characters are parsed (JSON, form data) before they are cut to maxBodySize. */
export const PARSE_LIMIT = 1 << 20

const JSON_TYPE = /^application\/(?:[\w.+-]*\+)?json\b/i
const FORM_TYPE = /^application\/x-www-form-urlencoded\b/i
const TEXT_TYPE = /^(?:text\/|application\/(?:[\w.+-]*\+)?(?:json|xml|javascript|x-www-form-urlencoded|graphql)\b)/i

/**
 * A request or response body as the worker's sanitizer should see it: structure where there is
 * structure (a parsed body as it is, JSON and form text parsed), so that the key rules apply to its
 * fields; text for other text; a byte count for binary. Whatever it is, it holds about `max`
 * characters at most, cut member by member rather than mid-JSON.
 * @param truncated the text is the first part of a longer body (it is then not parsed)
 */
export function bodyForLog (body: unknown, contentType: unknown, max: number, truncated = false): unknown {
  const type = typeof contentType === 'string' ? contentType : ''
  if (typeof body === 'string') {
    if (!truncated && JSON_TYPE.test(type)) {
      try {
        return capped(JSON.parse(body), max)
      } catch {
        // Not JSON after all: logged as the text it is.
      }
    }
    if (!truncated && FORM_TYPE.test(type)) return capped(paramsObject(new URLSearchParams(body)), max)
    return capped(body, max)
  }
  if (body instanceof Uint8Array) {
    if (type !== '' && !TEXT_TYPE.test(type)) return `[${type.split(';')[0].trim()} ${body.byteLength} bytes]`
    return bodyForLog(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'), contentType, max, truncated)
  }
  return capped(body, max)
}

/** A copy of `value` that serializes to about `max` characters at most. */
export function capped (value: unknown, max: number): unknown {
  return cap(value, { left: max }, 0)
}

const MAX_NESTING = 32

function cap (value: unknown, budget: { left: number }, depth: number): unknown {
  if (typeof value === 'string') {
    if (value.length <= budget.left) {
      budget.left -= value.length + 2
      return value
    }
    const kept = Math.max(0, budget.left)
    budget.left = -1
    return value.slice(0, kept) + `…[TRUNCATED ${value.length - kept} chars]`
  }
  if (value === null || typeof value !== 'object') {
    budget.left -= 8
    return value
  }
  if (ArrayBuffer.isView(value)) return `[${value.constructor.name} ${value.byteLength} bytes]`
  if (depth >= MAX_NESTING) return '[MAX_DEPTH_EXCEEDED]'
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return value
  if (Array.isArray(value)) {
    const out: unknown[] = []
    for (let i = 0; i < value.length; i++) {
      if (budget.left <= 0) {
        out.push(`[TRUNCATED ${value.length - i} items]`)
        break
      }
      out.push(cap(value[i], budget, depth + 1))
    }
    return out
  }
  const out: Record<string, unknown> = {}
  const keys = Object.keys(value)
  for (let i = 0; i < keys.length; i++) {
    if (budget.left <= 0) {
      out._truncated_keys = keys.length - i
      break
    }
    budget.left -= keys[i].length + 3
    setField(out, keys[i], cap((value as Record<string, unknown>)[keys[i]], budget, depth + 1))
  }
  return out
}
