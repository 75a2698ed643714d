import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'

/** A spill directory of the test's own, removed at the end. */
export function spillDir (t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'curator-log-spill-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** The spill files in the directory (not the dead-letter file). */
export function spillFiles (dir: string): string[] {
  return readdirSync(dir).filter(f => f.startsWith('spill-'))
}

/**
 * The seq of every line still to be loaded from the spill files, in file order: from a spilled row
 * (its context column) or from a pino line spilled before it was parsed. Lines that are neither are
 * skipped, and so are those before a segment's recorded replay progress (`<base>.offset`: a byte
 * position, then, while a batch was being loaded, the byte it ends at): they were loaded already.
 */
export function spilledSeqs (dir: string): number[] {
  const seqs: number[] = []
  const files = spillFiles(dir)
  for (const file of files.filter(f => !f.endsWith('.offset')).sort()) {
    const base = /^spill-\d+-[0-9a-f]+-\d+/.exec(file)?.[0]
    const progress = files.includes(`${base}.offset`) ? Number(readFileSync(join(dir, `${base}.offset`), 'utf8').split(' ')[0]) : 0
    const bytes = readFileSync(join(dir, file))
    for (const text of bytes.subarray(progress).toString('utf8').split('\n')) {
      const seq = seqOf(text)
      if (seq !== undefined) seqs.push(seq)
    }
  }
  return seqs
}

function seqOf (text: string): number | undefined {
  let obj: Record<string, unknown>
  try {
    obj = JSON.parse(text)
  } catch {
    return undefined
  }
  if (obj === null || typeof obj !== 'object') return undefined
  if (typeof obj.context === 'string') obj = JSON.parse(obj.context)
  else if (typeof obj.raw === 'string') obj = JSON.parse(obj.raw)
  return typeof obj.seq === 'number' ? obj.seq : undefined
}
