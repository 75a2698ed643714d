import { clientAddress } from '../lib/core/client-address.js'
import { setField } from '../lib/sanitizer/values.js'
import { isLosslessNumber, numberText, numberValue } from './exact-json.js'

/** Top-level keys of Fastify's and pino-http's request lines; the fast path leaves lines with them to the full one. */
export const HTTP_SHAPE_KEYS = ['reqId', 'req', 'res', 'responseTime'] as const

/**
 * Fastify's logger (`reqId`, `req: { method, url, remoteAddress }`, `res: { statusCode }`,
 * `responseTime`) and pino-http (`req: { id, method, url, remoteAddress, headers }`, `res`,
 * `responseTime`) write request fields in shapes of their own: this adds the column each fills when
 * the line does not carry that column itself. `reqId` and `responseTime` move to their columns; the
 * `req` and `res` objects stay whole in context (they hold more: query, headers, ports). Returns the
 * record itself when it has none of these shapes.
 */
export function withHttpColumns (record: Record<string, unknown>): Record<string, unknown> {
  if (!HTTP_SHAPE_KEYS.some(k => Object.hasOwn(record, k))) return record
  const out: Record<string, unknown> = {}
  for (const k of Object.keys(record)) setField(out, k, record[k])
  const req = plain(record.req)
  const res = plain(record.res)
  const put = (column: string, value: unknown, from?: string): void => {
    if (value === undefined) return
    if (Object.hasOwn(record, column)) {
      // Both names with one value (Fastify's reqId beside the plugin's request_id): the column keeps it.
      if (from !== undefined && scalarText(record[column]) === scalarText(value)) delete out[from]
      return
    }
    if (from !== undefined) delete out[from]
    out[column] = value
  }
  put('request_id', scalar(record.reqId), scalar(record.reqId) === undefined ? undefined : 'reqId')
  put('request_id', scalar(req?.id))
  put('method', typeof req?.method === 'string' ? req.method : undefined)
  put('path', typeof req?.url === 'string' ? req.url.split('?')[0] : undefined)
  // The address requestContext and the Fastify plugin store for the same client (`::ffff:` dropped).
  put('ip_address', typeof req?.remoteAddress === 'string' ? clientAddress(req.remoteAddress) : undefined)
  const ua = plain(req?.headers)?.['user-agent']
  put('user_agent', typeof ua === 'string' ? ua : undefined)
  const status = numberValue(res?.statusCode)
  put('status_code', Number.isInteger(status) ? res?.statusCode : undefined)
  put('duration_ms', Number.isFinite(numberValue(record.responseTime)) ? record.responseTime : undefined, 'responseTime')
  return out
}

function plain (v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !isLosslessNumber(v) ? v as Record<string, unknown> : undefined
}

function scalar (v: unknown): unknown {
  return typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)) || isLosslessNumber(v) ? v : undefined
}

/** A string, or a number's text: what two names of one value are compared by (an object never matches). */
function scalarText (v: unknown): string | undefined {
  return typeof v === 'string' ? v : numberText(v)
}
