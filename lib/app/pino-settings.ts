import pino, { type LoggerOptions } from 'pino'
import type { TransportOptions } from '../core/transport-options.js'
import { ERROR_CODES, OptionError } from '../core/errors.js'

/** What the outputs built by createLogger must know of the logger's own pino settings. */
export interface OutputSettings {
  /** For the database transport. */
  transport: Pick<TransportOptions, 'messageKey' | 'errorKey' | 'levels' | 'timeKey' | 'timeUnit' | 'nestedKey'>
  /** For pino-pretty. */
  pretty: Record<string, unknown>
  /** Every level name of the logger and its number, for pino's multistream. */
  levels: Record<string, number>
  /** Whether levels compare the default way (a higher number is more severe). */
  ascending: boolean
}

/**
 * Reads the pino settings that change what a line looks like, so that every output reads lines as the
 * logger writes them. Throws a TypeError for a setting no output could follow: a timestamp function
 * whose time cannot be read back.
 */
export function outputSettings (o: LoggerOptions): OutputSettings {
  const custom = o.customLevels ?? {}
  const levels = { ...(o.useOnlyCustomLevels === true ? {} : pino.levels.values), ...custom }
  const messageKey = o.messageKey ?? 'msg'
  const errorKey = o.errorKey ?? 'err'
  const transport: OutputSettings['transport'] = { messageKey, errorKey, levels: { ...custom }, ...timeSettings(o.timestamp) }
  if (typeof o.nestedKey === 'string') transport.nestedKey = o.nestedKey
  const pretty: Record<string, unknown> = {
    messageKey,
    errorLikeObjectKeys: [...new Set(['err', 'error', errorKey])],
    customLevels: levels,
    useOnlyCustomProps: o.useOnlyCustomLevels === true
  }
  if (transport.timeKey !== undefined && transport.timeKey !== 'time') pretty.timestampKey = transport.timeKey
  const comparison = o.levelComparison
  return { transport, pretty, levels, ascending: comparison === undefined || comparison === 'ASC' }
}

function timeSettings (timestamp: LoggerOptions['timestamp']): Pick<TransportOptions, 'timeKey' | 'timeUnit'> {
  if (timestamp === undefined || timestamp === true || timestamp === false || timestamp === pino.stdTimeFunctions.epochTime) return {}
  if (timestamp === pino.stdTimeFunctions.unixTime) return { timeUnit: 's' }
  // Any other function: what it writes now says how to read it back.
  const sample = timestamp()
  if (sample === '') return {}
  let member: Record<string, unknown>
  try {
    member = JSON.parse('{' + sample.slice(1) + '}') as Record<string, unknown>
  } catch {
    throw new OptionError(ERROR_CODES.OPTION_VALUE, 'pino.timestamp', ` must return ',"key":value' or '', got ${JSON.stringify(sample)}`, sample)
  }
  const keys = Object.keys(member)
  const value = member[keys[0]]
  if (keys.length !== 1 || !(typeof value === 'number' || (typeof value === 'string' && Number.isFinite(Date.parse(value))))) {
    throw new OptionError(ERROR_CODES.OPTION_VALUE, 'pino.timestamp', `: cannot read the time it writes (${JSON.stringify(sample)}): use a number of milliseconds or seconds, or an ISO 8601 string`, sample)
  }
  // Seconds since 1970 stay below 1e11 until the year 5138; milliseconds passed it in 1973.
  return { timeKey: keys[0], ...(typeof value === 'number' && value < 1e11 ? { timeUnit: 's' as const } : {}) }
}
