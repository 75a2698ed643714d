import { pinoHead } from '../lib/core/pino-head.js'
import { parseExact } from './exact-json.js'

/** The level and time pino wrote at the start of a line (see pinoHead); `time` is absent with timestamps off. */
export interface OwnedFields {
  level: unknown
  time?: unknown
}

export interface ParsedLine {
  record: unknown
  /** Present when the line starts as pino writes it: then only these decide the level and timestamp. */
  owned?: OwnedFields
}

/**
 * parseExact (numbers keep their digits) of a line with pino's leading level and time taken out first, so that a logged field named
 * `level` or `time` (which JSON.parse would let win, being later) stays a field of the record. Throws
 * as JSON.parse does.
 */
export function parseLine (line: string, timeKey = 'time'): ParsedLine {
  const head = pinoHead(line, timeKey)
  if (head === undefined) return { record: parseExact(line) }
  const owned: OwnedFields = { level: parseExact(line.slice(head.level[0], head.level[1])) }
  if (head.time !== undefined) owned.time = parseExact(line.slice(head.time[0], head.time[1]))
  const rest = line.charCodeAt(head.end) === 125 ? line.slice(head.end) : line.slice(head.end + 1)
  return { record: parseExact('{' + rest), owned }
}
