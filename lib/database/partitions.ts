import pg from 'pg'
import { type LogTarget } from '../core/identifiers.js'
import { type MaintenancePlan, type PartitionInfo, listPartitions, maintainPartitions, monthStart } from './partition-maintenance.js'
import { destroy } from './copy-writer.js'
import { adviceFor, classify, errorText, isServerError } from './pg-errors.js'

/** Timestamps the table can take; a line outside it is stored at ingest time. */
export interface TimeWindow {
  from: number
  to: number
}

/**
 * Keeps the table's partitions in shape from inside the worker (on start, then every interval) and
 * knows which times the table can take. Its failures are reported once and never stop ingestion.
 */
export class Partitions {
  #known: TimeWindow | undefined
  #timer: NodeJS.Timeout | undefined
  #running: Promise<void> | undefined
  #reported = false
  #client: pg.Client | undefined
  readonly #config: pg.ClientConfig
  readonly #target: LogTarget
  readonly #plan: MaintenancePlan & { enabled: boolean, intervalMs: number }
  readonly #warn: (msg: string) => void
  readonly #clock: () => number

  constructor (
    config: pg.ClientConfig,
    target: LogTarget,
    plan: MaintenancePlan & { enabled: boolean, intervalMs: number },
    warn: (msg: string) => void,
    clock: () => number = Date.now
  ) {
    this.#config = config
    this.#target = target
    this.#plan = plan
    this.#warn = warn
    this.#clock = clock
  }

  /** Times a row may keep: the existing partitions once known, else the previous month to the last premade one. */
  window (): TimeWindow {
    if (this.#known) return this.#known
    const now = this.#clock()
    return { from: monthStart(now, -1), to: monthStart(now, this.#plan.monthsAhead + 1) }
  }

  /** Whether the partitions known to exist take a row stamped `at` (false while none are known). */
  covers (at: number): boolean {
    return this.#known !== undefined && this.#known.from <= at && at < this.#known.to
  }

  /** Runs maintenance (or, when off, reads the partitions) now, then every interval. */
  start (): void {
    this.refresh().catch(() => {})
    if (!this.#plan.enabled || this.#plan.intervalMs <= 0) return
    this.#timer = setInterval(() => { this.refresh().catch(() => {}) }, this.#plan.intervalMs)
    this.#timer.unref()
  }

  /**
   * Stops the schedule and lets a run in progress finish (its DDL is short and holds a lock), or
   * abandons it at `deadlineMs` (epoch): a connect to a server that does not answer, or DDL queued
   * behind another session's lock, must not hold the close past thread-stream's budget.
   */
  async stop (deadlineMs = Infinity): Promise<void> {
    clearInterval(this.#timer)
    if (!this.#running) return
    let timer: NodeJS.Timeout | undefined
    if (deadlineMs !== Infinity) timer = setTimeout(() => this.abandon(), Math.max(0, deadlineMs - Date.now()))
    await this.#running.catch(() => {})
    clearTimeout(timer)
  }

  /** Drops the connection of the run in progress, if any; its transaction then rolls back. */
  abandon (): void {
    const c = this.#client
    this.#client = undefined
    if (c) destroy(c)
  }

  /**
   * Maintains (or, with maintenance off, only reads) the partitions; one run at a time. Rejects
   * only when the server could not be reached, which the caller treats as any delivery failure.
   */
  refresh (): Promise<void> {
    this.#running ??= this.#run().finally(() => { this.#running = undefined })
    return this.#running
  }

  async #run (): Promise<void> {
    const client = new pg.Client(this.#config)
    client.on('error', () => {})
    this.#client = client
    try {
      await client.connect()
    } catch (err) {
      destroy(client)
      throw err
    }
    try {
      const partitions = this.#plan.enabled
        ? (await maintainPartitions(client, this.#target, this.#plan, { now: this.#clock() })).partitions
        : await listPartitions(client, this.#target)
      this.#learn(partitions)
      this.#reported = false
    } catch (err) {
      if (!isServerError(err)) throw err
      // Before migrate has run, say what fixes it rather than that maintenance failed.
      if (!this.#reported) {
        this.#warn(classify(err) === 'schema'
          ? `curator-log: ${this.#target.schema}.${this.#target.table} is not set up (${errorText(err)})${adviceFor('schema', this.#target)}`
          : `curator-log: partition maintenance failed (${errorText(err)}); rows still load into the partitions that exist`)
      }
      this.#reported = true
      // Without maintenance rights the partitions can still be read.
      if (this.#plan.enabled) this.#learn(await listPartitions(client, this.#target).catch(() => []))
    } finally {
      if (this.#client === client) this.#client = undefined
      await client.end().catch(() => {})
    }
  }

  #learn (partitions: PartitionInfo[]): void {
    if (partitions.length === 0) return
    this.#known = { from: partitions[0].from.getTime(), to: partitions[partitions.length - 1].to.getTime() }
  }
}
