/** Where pino's own leading members of a line are: the level, then the time, as pino writes them. */
export interface PinoHead {
  /** The level's value text, [start, end). */
  level: [number, number]
  /** The time's value text, when the line's second member is `time`. */
  time?: [number, number]
  /** Index just past the last of these members: a `,` or the closing `}`. */
  end: number
}

const LEVEL = '{"level":'

/**
 * pino starts every line with its level (`{"level":30`) and, unless timestamps are off, the time
 * (`,"time":…`, or the configured time key); everything after them (bindings, the logged object, the message) is the app's. A
 * field named `level` or `time` in the logged object comes later in the same line, so these two
 * leading members are the only ones that decide the level and timestamp columns. Undefined when the
 * line does not start that way (another producer, or a custom formatters.level).
 */
export function pinoHead (line: string, timeKey = 'time'): PinoHead | undefined {
  const head: PinoHead = { level: [0, 0], end: 0 }
  return scanHead(line, timeKey, head) < 0 ? undefined : head
}

/**
 * Where {@link pinoHead}'s members end, or -1 where it gives undefined, without building the head: the
 * app thread asks this of every line it puts the context into.
 */
export function pinoHeadEnd (line: string, timeKey = 'time'): number {
  return scanHead(line, timeKey)
}

// The time member's opening, `,"time":`, for the last time key asked (one per logger in practice).
let lastKey = 'time'
let lastTime = ',"time":'

function scanHead (line: string, timeKey: string, head?: PinoHead): number {
  if (!line.startsWith(LEVEL)) return -1
  const levelEnd = scalarEnd(line, LEVEL.length)
  if (levelEnd < 0) return -1
  let end = levelEnd
  if (timeKey !== lastKey) {
    lastTime = `,${JSON.stringify(timeKey)}:`
    lastKey = timeKey
  }
  const time = lastTime
  if (line.startsWith(time, levelEnd)) {
    const at = levelEnd + time.length
    const timeEnd = scalarEnd(line, at)
    if (timeEnd >= 0) {
      end = timeEnd
      if (head) head.time = [at, timeEnd]
    }
  }
  const c = line.charCodeAt(end)
  if (c !== 44 && c !== 125) return -1
  if (head) {
    head.level = [LEVEL.length, levelEnd]
    head.end = end
  }
  return end
}

/** End of a JSON number or string token at i, or -1 for anything else. */
function scalarEnd (s: string, i: number): number {
  const c = s.charCodeAt(i)
  if (c === 34) {
    for (let j = i + 1; j < s.length; j++) {
      const d = s.charCodeAt(j)
      if (d === 92) j++
      else if (d === 34) return j + 1
    }
    return -1
  }
  let j = i
  while (j < s.length) {
    const d = s.charCodeAt(j)
    if ((d >= 48 && d <= 57) || d === 45 || d === 43 || d === 46 || d === 101 || d === 69) j++
    else break
  }
  return j > i ? j : -1
}
