import { appendFileSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, accessSync, constants } from 'node:fs'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import sonicBoom from 'sonic-boom'
import { COLUMNS } from './columns.js'
import { decodeRow, encodeRow } from './copy-text.js'
import { errorText } from './errors.js'
import type { Overflow } from './delivery.js'

// sonic-boom is CommonJS: at run time its default export is the class its types call SonicBoom.
const SonicBoom = sonicBoom as unknown as typeof import('sonic-boom').SonicBoom
type Boom = InstanceType<typeof SonicBoom>

const SEGMENT_BYTES = 16 << 20
const WRITE_CHUNK = 64 << 10
const NAME = /^spill-(\d+)-(\d+)-([0-9a-f]+)\.(open|ndjson|replaying\.(\d+))$/

/** The spill directory's files, owned per segment: `.open` while written, `.replaying.<pid>` once claimed. */
export class SpillDir implements Overflow {
  /** Unreadable or torn lines met while replaying. */
  skipped = 0
  private out: Boom | undefined
  private outPath = ''
  private outBytes = 0
  private buffered: string[] = []
  private bufferedBytes = 0
  private broken = false
  private claimed: { path: string, lines: string[], offset: number } | undefined
  private toRow: ((line: string) => string) | undefined

  constructor (readonly dir: string, private readonly batchRows: number, private readonly warn: (msg: string) => void) {}

  parseSpilled (toRow: (line: string) => string): void {
    this.toRow = toRow
  }

  spill (lines: readonly string[], raw = false): boolean {
    if (this.broken) return false
    try {
      if (!this.out || this.outBytes > SEGMENT_BYTES) this.rotate()
      for (const line of lines) {
        // A raw line is a pino line not parsed yet: kept as it came, parsed when replayed.
        const text = JSON.stringify(raw ? { raw: line } : toObject(line)) + '\n'
        this.buffered.push(text)
        this.bufferedBytes += text.length
      }
      if (this.bufferedBytes >= WRITE_CHUNK) this.writeOut()
      return true
    } catch (err) {
      this.fail(err)
      return false
    }
  }

  /** One synchronous write per chunk: this is the worker thread, and a spilled row must reach the disk. */
  private writeOut (): void {
    if (this.bufferedBytes === 0) return
    this.out!.write(this.buffered.join(''))
    this.outBytes += this.bufferedBytes
    this.buffered = []
    this.bufferedBytes = 0
  }

  deadLetter (line: string, err: unknown): void {
    const entry = { time: new Date().toISOString(), error: errorText(err), row: toObject(line) }
    try {
      appendFileSync(join(this.dir, 'dead-letter.ndjson'), JSON.stringify(entry) + '\n')
    } catch (e) {
      this.warn(`curator-log: cannot write the dead-letter file in ${this.dir} (${errorText(e)}); row refused by PostgreSQL: ${JSON.stringify(entry)}`)
    }
  }

  async nextReplay (): Promise<{ lines: string[], done: () => void } | undefined> {
    if (this.claimed === undefined && !this.claimNext()) return undefined
    const c = this.claimed!
    const lines = c.lines.slice(c.offset, c.offset + this.batchRows)
    return {
      lines,
      done: () => {
        c.offset += lines.length
        if (c.offset >= c.lines.length) {
          rmSync(c.path, { force: true })
          rmSync(c.path + '.offset', { force: true })
          this.claimed = undefined
        } else {
          writeFileSync(c.path + '.offset', String(c.offset))
        }
      }
    }
  }

  /**
   * Flushes what was spilled to disk and hands the open segment over for replay; a segment this
   * instance was replaying goes back too, with its progress, for the next one.
   */
  close (): Promise<void> {
    this.seal()
    const c = this.claimed
    if (c) {
      this.claimed = undefined
      const back = c.path.replace(/\.replaying\.\d+$/, '.ndjson')
      rmSync(c.path + '.offset', { force: true })
      if (c.offset > 0) writeFileSync(back + '.offset', String(c.offset))
      renameSync(c.path, back)
    }
    return Promise.resolve()
  }

  private rotate (): void {
    this.seal()
    this.outPath = join(this.dir, `spill-${Date.now()}-${process.pid}-${randomBytes(4).toString('hex')}.open`)
    this.out = new SonicBoom({ dest: this.outPath, sync: true })
    this.out.on('error', err => this.fail(err))
    this.outBytes = 0
  }

  private seal (): void {
    const out = this.out
    if (!out) return
    try {
      this.writeOut()
    } catch (err) {
      this.fail(err)
    }
    this.out = undefined
    out.end()
    renameSync(this.outPath, this.outPath.replace(/\.open$/, '.ndjson'))
  }

  private fail (err: unknown): void {
    if (!this.broken) this.warn(`curator-log: spilling to ${this.dir} failed (${errorText(err)}); rows that do not fit in memory are now dropped, debug and info first`)
    this.broken = true
  }

  /** Takes the oldest segment nobody else owns (renaming is atomic, so two processes never share one). */
  private claimNext (): boolean {
    const candidates = this.candidates()
    if (candidates.length === 0 && this.out && this.outBytes > 0) {
      this.seal()
      return this.claimNext()
    }
    for (const name of candidates) {
      const m = NAME.exec(name)!
      const path = join(this.dir, `spill-${m[1]}-${m[2]}-${m[3]}.replaying.${process.pid}`)
      try {
        renameSync(join(this.dir, name), path)
      } catch {
        continue
      }
      let offset = 0
      try {
        offset = Number(readFileSync(join(this.dir, name) + '.offset', 'utf8')) || 0
        rmSync(join(this.dir, name) + '.offset', { force: true })
      } catch {}
      this.claimed = { path, lines: this.readSegment(path), offset }
      if (offset > 0) writeFileSync(path + '.offset', String(offset))
      return true
    }
    return false
  }

  private candidates (): string[] {
    return readdirSync(this.dir)
      .filter(name => {
        const m = NAME.exec(name)
        if (!m) return false
        if (m[4] === 'ndjson') return true
        const owner = Number(m[5] ?? m[2])
        return owner !== process.pid && !alive(owner)
      })
      .sort((a, b) => Number(NAME.exec(a)![1]) - Number(NAME.exec(b)![1]))
  }

  private readSegment (path: string): string[] {
    const lines: string[] = []
    for (const text of readFileSync(path, 'utf8').split('\n')) {
      if (text === '') continue
      try {
        const obj = JSON.parse(text) as Record<string, string | null>
        if (typeof obj.raw === 'string' && this.toRow) lines.push(this.toRow(obj.raw))
        else lines.push(encodeRow(COLUMNS.map(c => obj[c] ?? null)))
      } catch {
        this.skipped++
      }
    }
    return lines
  }
}

function toObject (line: string): Record<string, string | null> {
  const fields = decodeRow(line)
  const obj: Record<string, string | null> = {}
  COLUMNS.forEach((c, i) => { obj[c] = fields[i] ?? null })
  return obj
}

function alive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Opens the spill directory, or reports clearly why it cannot be used and returns undefined, in
 * which case logging goes on without spilling.
 */
export function openOverflow (dir: string, batchRows: number, warn: (msg: string) => void): SpillDir | undefined {
  try {
    mkdirSync(dir, { recursive: true })
    if (!statSync(dir).isDirectory()) throw new Error('not a directory')
    accessSync(dir, constants.W_OK | constants.R_OK)
    const probe = join(dir, `.probe-${process.pid}`)
    writeFileSync(probe, '')
    rmSync(probe)
  } catch (err) {
    warn(`curator-log: the spill directory ${dir} is not usable (${errorText(err)}); logging goes on without spilling, so rows beyond maxQueueBytes will be dropped`)
    return undefined
  }
  return new SpillDir(dir, batchRows, warn)
}
