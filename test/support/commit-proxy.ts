import { fork } from 'node:child_process'
import { once } from 'node:events'
import type { Test } from 'tap'
import { ROOT } from './consumer.js'

/** Starts test/fixtures/commit-proxy.mjs in front of the server at `upstreamPort`. */
export async function commitProxy (t: Test, upstreamPort: number, opts: { commitReaches: boolean }) {
  const child = fork(`${ROOT}test/fixtures/commit-proxy.mjs`, [], {
    env: { ...process.env, NODE_OPTIONS: '', UPSTREAM_PORT: String(upstreamPort), COMMIT_REACHES: opts.commitReaches ? '1' : '0' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc']
  })
  t.teardown(() => { child.kill() })
  const state = { lost: false }
  child.on('message', m => { if (m === 'lost') state.lost = true })
  const [{ port }] = await once(child, 'message') as [{ port: number }]
  return {
    port,
    state,
    /** Lets connections through again. */
    open () { child.send('open') }
  }
}
