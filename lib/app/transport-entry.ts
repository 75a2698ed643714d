import { fileURLToPath } from 'node:url'

/**
 * The compiled transport that pino starts in its worker thread, found from this module's own URL rather
 * than by searching for the package root. Built, this is dist/lib/app/transport-entry.js and the worker
 * is dist/transport/index.js beside it. Run from source (tsx, tests), it is the same checkout's build:
 * the worker thread has no TypeScript loader, so it always loads JavaScript.
 */
export function transportEntry (): string {
  const built = import.meta.url.endsWith('.js')
  return fileURLToPath(new URL(built ? '../../transport/index.js' : '../../dist/transport/index.js', import.meta.url))
}
