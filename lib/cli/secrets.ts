import { Writable } from 'node:stream'
import { connectionSecrets, secretSpellings } from '../core/connection.js'

/**
 * The passwords the CLI could be handed, in every spelling a message could quote: those in any
 * argument that holds a connection string (after --url, or anywhere else: a forgotten --url makes it an
 * argument an error quotes), in DATABASE_URL, and PGPASSWORD. Longest first, so none is left half masked.
 */
export function commandLineSecrets (argv: readonly string[], env: Record<string, string | undefined> = process.env): string[] {
  const found = new Set([...argv, env.DATABASE_URL].flatMap(text => connectionSecrets(text)))
  if (env.PGPASSWORD) for (const s of secretSpellings(env.PGPASSWORD)) found.add(s)
  return [...found].filter(s => s.length >= 2).sort((a, b) => b.length - a.length)
}

/** `text` with every secret replaced by ***. */
export function scrub (text: string, secrets: readonly string[]): string {
  for (const secret of secrets) text = text.replaceAll(secret, '***')
  return text
}

/**
 * `err` with every secret masked in what is written to it: the one place the CLI's stderr is scrubbed,
 * so no message, option error or stack trace, whoever wrote it, prints a password.
 */
export function scrubbedStream (err: NodeJS.WritableStream, secrets: readonly string[]): NodeJS.WritableStream {
  if (secrets.length === 0) return err
  // Written through at once (the callback is synchronous), so lines keep their order with err's own.
  return new Writable({
    decodeStrings: false,
    write (chunk: string | Buffer, _encoding, done) {
      err.write(scrub(String(chunk), secrets))
      done()
    }
  })
}
