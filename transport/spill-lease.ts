import { randomBytes } from 'node:crypto'
import { rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** How often a live instance renews its lease, and how old a lease may get before its files are orphans. */
export const LEASE_RENEW_MS = 1000
export const LEASE_STALE_MS = 10_000

/**
 * Who owns a spill file being written or replayed. A process id is no owner: a containerised app is
 * PID 1 after every restart. Each transport instance takes a random id and keeps `lease-<id>` in the
 * directory fresh (mtime renewed every second); files named for an instance whose lease is missing
 * or older than LEASE_STALE_MS belong to nobody and are taken over. Node has no flock, and an
 * advisory lock would need the database that may be down, so ownership is a lease on the disk itself.
 */
export class Lease {
  readonly id = randomBytes(8).toString('hex')
  readonly #path: string
  readonly #dir: string

  constructor (dir: string) {
    this.#dir = dir
    this.#path = join(dir, `lease-${this.id}`)
    writeFileSync(this.#path, `${process.pid}\n`, { mode: 0o600 })
  }

  renew (): void {
    const now = new Date()
    try {
      utimesSync(this.#path, now, now)
    } catch {
      // Removed from under us (a cleaner of tmp): make it again, or others take our files.
      try {
        writeFileSync(this.#path, `${process.pid}\n`, { mode: 0o600 })
      } catch {} // the directory is gone: there is nothing left to own
    }
  }

  release (): void {
    rmSync(this.#path, { force: true })
  }

  /** Removes the leases of instances long dead (a crash leaves its lease behind). */
  static sweep (dir: string, names: string[], now = Date.now()): void {
    for (const name of names) {
      if (!name.startsWith('lease-')) continue
      try {
        if (now - statSync(join(dir, name)).mtimeMs > 60 * LEASE_STALE_MS) rmSync(join(dir, name), { force: true })
      } catch {}
    }
  }

  /** Whether the instance `id` still holds its lease. */
  static held (dir: string, id: string, now = Date.now()): boolean {
    try {
      return now - statSync(join(dir, `lease-${id}`)).mtimeMs < LEASE_STALE_MS
    } catch {
      return false
    }
  }
}
