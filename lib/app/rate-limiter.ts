import { finiteNumber, oneOf } from '../core/validate.js'

/** How lines share a rate limit. */
export type RateLimitMode = 'per-key' | 'per-logger' | 'global'

/** Rate limiter settings. */
export interface RateLimiterOptions {
  /** Lines allowed per second, per key. Default 100 (the reference design's). */
  maxPerSecond?: number
  /** Lines allowed at once before the per-second rate applies. Default maxPerSecond. */
  burst?: number
  /**
   * `per-key` (default): level + message template, so a runaway loop silences itself only;
   * `per-logger`: one limit per logger name; `global`: one limit for everything (the reference's).
   */
  mode?: RateLimitMode
}

interface Bucket { tokens: number, at: number, dropped: number }

const MAX_KEYS = 10_000

/**
 * Token buckets, one per key. `shouldLog()` answers whether a line may be logged now; refused
 * lines are counted, in total and per key.
 */
export class RateLimiter {
  readonly maxPerSecond: number
  readonly burst: number
  readonly mode: RateLimitMode
  /** Lines refused since the last {@link resetDroppedCount}. */
  droppedCount = 0
  readonly #buckets = new Map<string, Bucket>()
  readonly #byLevel = new Map<number, Map<string, Bucket>>()
  readonly #clock: () => number

  /** @param clock the current time in ms (default performance.now); tests pass their own. */
  constructor (options: RateLimiterOptions | number = {}, clock: () => number = performance.now.bind(performance)) {
    this.#clock = clock
    const o = typeof options === 'number' ? { maxPerSecond: options } : options
    this.maxPerSecond = o.maxPerSecond ?? 100
    this.burst = o.burst ?? this.maxPerSecond
    this.mode = o.mode ?? 'per-key'
    finiteNumber('rateLimit.maxPerSecond', this.maxPerSecond, { above: 0 })
    finiteNumber('rateLimit.burst', this.burst, { min: 1 })
    oneOf('rateLimit.mode', this.mode, ['per-key', 'per-logger', 'global'])
  }

  /** Whether a line with this key may be logged now (the key is ignored in global mode). */
  shouldLog (key = ''): boolean {
    return this.#take(this.#buckets, this.mode === 'global' ? '' : key)
  }

  /**
   * The logger's fast path: keyed by level and message template without building a key string, so
   * a dropped call costs two map lookups.
   */
  allow (level: number, template: string): boolean {
    if (this.mode === 'global') return this.#take(this.#buckets, '')
    let byTemplate = this.#byLevel.get(level)
    if (byTemplate === undefined) {
      byTemplate = new Map()
      this.#byLevel.set(level, byTemplate)
    }
    return this.#take(byTemplate, template)
  }

  #take (buckets: Map<string, Bucket>, key: string): boolean {
    const now = this.#clock()
    let b = buckets.get(key)
    if (b === undefined) {
      if (buckets.size >= MAX_KEYS) this.#evictIdle(buckets, now)
      b = { tokens: this.burst, at: now, dropped: 0 }
      buckets.set(key, b)
    } else {
      b.tokens = Math.min(this.burst, b.tokens + (now - b.at) * this.maxPerSecond / 1000)
      b.at = now
    }
    if (b.tokens >= 1) {
      b.tokens -= 1
      return true
    }
    b.dropped++
    this.droppedCount++
    return false
  }

  getDroppedCount (): number {
    return this.droppedCount
  }

  /** Returns the dropped count and starts it again from zero. */
  resetDroppedCount (): number {
    const n = this.droppedCount
    this.droppedCount = 0
    return n
  }

  /** Lines refused per key (`level:template` for the logger's keys) since the last call, and forgets them. */
  takeSuppressed (): Map<string, number> {
    const out = new Map<string, number>()
    const collect = (buckets: Map<string, Bucket>, prefix: string): void => {
      for (const [k, b] of buckets) {
        if (b.dropped > 0) {
          out.set(prefix + k, b.dropped)
          b.dropped = 0
        }
      }
    }
    collect(this.#buckets, '')
    for (const [level, buckets] of this.#byLevel) collect(buckets, `${level}:`)
    return out
  }

  /** Drops full buckets (keys not seen for a while), or everything if none is idle. */
  #evictIdle (buckets: Map<string, Bucket>, now: number): void {
    for (const [k, b] of buckets) {
      if (b.dropped === 0 && b.tokens + (now - b.at) * this.maxPerSecond / 1000 >= this.burst) buckets.delete(k)
    }
    if (buckets.size >= MAX_KEYS) buckets.clear()
  }
}
