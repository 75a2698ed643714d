/**
 * The part of one pg connection (a `Client`, or a `PoolClient` checked out of a pool: one session, since
 * transactions and session locks are taken on it) that curator-log's public functions use.
 * Declared here so the published types do not need `@types/pg`, which consumers may not have.
 */
export interface SqlClient {
  query (text: string, values?: unknown[]): Promise<{ rows: any[], rowCount: number | null }>
}
