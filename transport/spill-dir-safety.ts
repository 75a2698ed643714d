import { lstatSync } from 'node:fs'
import { dirname } from 'node:path'

const STICKY = 0o1000

/**
 * Throws unless no other user can put files in `dir` or swap it: the directory itself (not a link)
 * belongs to this process's user and only it may write there, and every folder above it belongs to
 * this user or root and is writable by nobody else, or is sticky like /tmp. Spill files are replayed
 * into the database: a directory another user can write to would let them plant rows.
 */
export function assertPrivateDir (dir: string): void {
  const uid = process.getuid?.()
  if (uid === undefined) return
  const own = lstatSync(dir)
  if (!own.isDirectory()) throw new Error('not a directory (a symbolic link is refused)')
  if (own.uid !== uid) throw new Error(`it belongs to uid ${own.uid}, not to this process's user (uid ${uid})`)
  if ((own.mode & 0o022) !== 0) throw new Error(`other users may write to it (mode ${(own.mode & 0o777).toString(8)}): chmod go-w it`)
  for (let up = dirname(dir); ; up = dirname(up)) {
    const st = lstatSync(up)
    if (st.uid !== uid && st.uid !== 0) throw new Error(`${up} belongs to uid ${st.uid}, who could replace it`)
    if ((st.mode & 0o022) !== 0 && (st.mode & STICKY) === 0) throw new Error(`other users may write to ${up} (mode ${(st.mode & 0o777).toString(8)}) and replace it`)
    if (dirname(up) === up) return
  }
}
