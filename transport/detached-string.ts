/**
 * A copy of `s` that holds only its own characters. In V8 a line cut from a chunk (pino-abstract-
 * transport splits thread-stream's chunks of up to 4 MiB) is a slice that keeps the whole chunk alive,
 * and a row built from slices of its line is a tree of them: a few such strings held in a queue pin
 * many chunks, so the bytes a queue counts would not bound the memory it holds. Slicing a string
 * built by concatenation makes V8 copy it flat first; what is kept then refers to that copy alone.
 */
export function detached (s: string): string {
  return (' ' + s).slice(1)
}
