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
 * The seq of every line on disk in the spill files, in file order: from a spilled row (its context
 * column) or from a pino line spilled before it was parsed. Lines that are neither are skipped.
 */
export function spilledSeqs (dir: string): number[] {
  const seqs: number[] = []
  for (const file of spillFiles(dir).sort()) {
    for (const text of readFileSync(join(dir, file), 'utf8').split('\n')) {
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
