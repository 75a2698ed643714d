import type { ClientConfig } from 'pg'

/**
 * Connection settings as the CLI and the transport take them: an explicit URL wins, then DATABASE_URL;
 * with neither, pg falls back to the PG* variables (PGHOST, PGUSER, ...) by itself.
 */
export function connectionConfig (url?: string, applicationName = 'curator-log'): ClientConfig {
  const connectionString = url ?? process.env.DATABASE_URL
  const config: ClientConfig = { application_name: applicationName }
  if (connectionString) {
    // pg accepts bare key=value strings too, but a URL-looking value should be a valid URL.
    if (/^[a-z]+:\/\//i.test(connectionString) && !URL.canParse(connectionString)) {
      throw new TypeError(`curator-log: the connection string is not a valid URL: ${redactUrl(connectionString)}`)
    }
    config.connectionString = connectionString
  }
  return config
}

/** The URL with its password masked, for error messages. */
export function redactUrl (url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@')
}
