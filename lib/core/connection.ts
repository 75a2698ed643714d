import type { ClientConfig } from 'pg'
import { parse } from 'pg-connection-string'
import { ConnectionStringError } from './errors.js'

export { ConnectionStringError }

// The variables that tell pg where to connect and as whom; an empty one is unset to pg too.
const PG_VARIABLES = ['PGHOST', 'PGPORT', 'PGDATABASE', 'PGUSER', 'PGPASSWORD'] as const

/**
 * Where the logs go, decided alike by createLogger, the transport and the CLI (docs/transport.md): the
 * string given, else DATABASE_URL, else the PG* variables, which pg reads from process.env by itself
 * (then `connectionString` is undefined). An empty string counts as unset.
 * @returns undefined when none of them names a database.
 */
export function databaseSource (given: string | undefined, env: Record<string, string | undefined> = process.env): { connectionString?: string } | undefined {
  const connectionString = given || env.DATABASE_URL
  if (connectionString) return { connectionString }
  return PG_VARIABLES.some(name => env[name]) ? {} : undefined
}

/**
 * Connection settings as the CLI and the transport take them, from {@link databaseSource}; with no
 * string, pg falls back to the PG* variables (PGHOST, PGUSER, ...) by itself.
 * A string is a URL (`postgres://user:password@host:port/db?…`, handed to pg) or a libpq keyword/value
 * string (`host=… port=… dbname=… user=… password=…`), which pg itself would misread as a relative URL.
 * @throws {ConnectionStringError} when the string is neither; its message never contains the string.
 */
export function connectionConfig (url?: string, applicationName = 'curator-log'): ClientConfig {
  const text = databaseSource(url)?.connectionString
  const config: ClientConfig = { application_name: applicationName }
  if (!text) return config
  // A socket directory ("/var/run/postgresql dbname") is pg's own shorthand.
  if (text.startsWith('/')) return { ...config, connectionString: checkedAsPgReadsIt(text) }
  const connectionString = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : keywordsToUrl(text)
  if (!URL.canParse(connectionString)) throw new ConnectionStringError()
  return { ...config, connectionString: checkedAsPgReadsIt(connectionString) }
}

/**
 * The string read by pg's own parser (pg-connection-string), as pg will read it on every connect:
 * what it cannot read, or a port net.connect would refuse (`?port=abc`, `:0`, `?port=70000`), is not a
 * connection string. An sslcert/sslkey/sslrootcert file it cannot open is left to the connect, which
 * reports it (the file may appear later, e.g. a mounted secret).
 */
function checkedAsPgReadsIt (text: string): string {
  let port: string | number | null | undefined
  try {
    port = parse(text).port
  } catch (err) {
    if (typeof (err as NodeJS.ErrnoException).path === 'string') return text
    throw new ConnectionStringError()
  }
  if (port !== null && port !== undefined && port !== '' && !(/^\d{1,5}$/.test(String(port)) && Number(port) >= 1 && Number(port) <= 65535)) {
    throw new ConnectionStringError()
  }
  return text
}

// libpq: `key = value` pairs separated by whitespace; a value is bare (no spaces or quotes) or
// single-quoted with \' and \\ escapes.
const PAIR = /\s*([a-z_]+)\s*=\s*(?:'((?:[^'\\]|\\.)*)'|([^\s'\\]+))\s*/y

/** The keyword/value string as the URL pg understands, every value percent-encoded. */
function keywordsToUrl (text: string): string {
  const pairs = new Map<string, string>()
  PAIR.lastIndex = 0
  while (PAIR.lastIndex < text.length) {
    const m = PAIR.exec(text)
    if (!m) throw new ConnectionStringError()
    pairs.set(m[1], m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3])
  }
  if (pairs.size === 0) throw new ConnectionStringError()
  const take = (key: string): string => {
    const v = pairs.get(key) ?? ''
    pairs.delete(key)
    return encodeURIComponent(v)
  }
  const host = take('host') || take('hostaddr')
  pairs.delete('hostaddr')
  const port = take('port')
  const database = take('dbname')
  const user = take('user')
  const password = take('password')
  const auth = user || password ? `${user}${password ? ':' + password : ''}@` : ''
  const query = new URLSearchParams([...pairs]).toString()
  return `postgres://${auth}${host}${port ? ':' + port : ''}/${database}${query ? '?' + query : ''}`
}

/** Where a configuration points, for messages: host, port, database and user, never the password. */
export function describeServer (config: ClientConfig): string {
  let host = process.env.PGHOST ?? 'localhost'
  let port: string | number = process.env.PGPORT ?? 5432
  let database = process.env.PGDATABASE
  let user = process.env.PGUSER
  if (config.connectionString && URL.canParse(config.connectionString)) {
    const u = new URL(config.connectionString)
    host = decodeURIComponent(u.hostname) || u.searchParams.get('host') || host
    port = u.port || port
    database = decodeURIComponent(u.pathname.slice(1)) || database
    user = decodeURIComponent(u.username) || user
  }
  return `${host}:${port}` + (database ? `/${database}` : '') + (user ? ` as ${user}` : '')
}

/**
 * The secret parts of a connection string in every spelling an error could quote (raw, percent-encoded,
 * decoded), so output can be scrubbed of them whatever went wrong.
 */
export function connectionSecrets (text: string | undefined): string[] {
  if (!text) return []
  const found = new Set<string>()
  const add = (s: string | null | undefined): void => {
    if (s) for (const spelling of secretSpellings(s)) found.add(spelling)
  }
  // Everything between a scheme and the last @ before whitespace: user:password, whatever it holds. A
  // raw / ? or # in the password ends the authority for a URL parser, so it is not where this stops:
  // masking a host or path too is better than printing the password. Not only at the start: a URL
  // inside other text (`-upostgres://…`) is found too.
  for (const userinfo of text.matchAll(/[a-z][a-z0-9+.-]*:\/\/(\S*)@/gi)) {
    if (!userinfo[1].includes(':')) continue
    const password = userinfo[1].slice(userinfo[1].indexOf(':') + 1)
    add(password)
    // Misread, such a string puts a piece of the password where a port, host or database goes
    // (`postgres://spec:4711#Xk9…` connects to spec:4711), and messages quote those.
    for (const piece of password.split(/[/?#@:]/)) if (piece.length >= 2) add(piece)
  }
  try {
    const u = new URL(connectionConfig(text).connectionString ?? '')
    add(u.password)
    add(u.searchParams.get('password'))
  } catch {}
  for (const m of text.matchAll(/password\s*=\s*(?:'((?:[^'\\]|\\.)*)'|([^\s&'#]+))/gi)) add(m[1] ?? m[2])
  return [...found].filter(s => s.length >= 2).sort((a, b) => b.length - a.length)
}

/** A secret as given, percent-decoded, percent-encoded, and escaped as a JSON string quotes it. */
export function secretSpellings (secret: string): string[] {
  const spellings = [secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)]
  try { spellings.push(decodeURIComponent(secret)) } catch {}
  return spellings
}
