import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The package's root folder, whether this file runs from lib/ (tests) or dist/lib/ (installed). */
export function packageRoot (): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'schema'))) {
    const up = dirname(dir)
    if (up === dir) throw new Error('curator-log: cannot find the package root (schema/ is missing)')
    dir = up
  }
  return dir
}
