/** The oldest Node.js line supported: package.json's engines (>=22). */
export const OLDEST_NODE = 22

let warned = false

/**
 * One line on `err`, once per process, on a Node.js line older than {@link OLDEST_NODE}: npm only
 * warns at install (EBADENGINE), which a build log easily hides, and nothing here is tested on such a
 * line, so faults there would go unexplained. It warns rather than throws: the package may well run.
 */
export function warnIfUnsupportedNode (err: NodeJS.WritableStream = process.stderr, version = process.versions.node): void {
  if (warned || Number(version.split('.')[0]) >= OLDEST_NODE) return
  warned = true
  err.write(`curator-log: Node.js ${version} is not supported (${OLDEST_NODE} or later is); nothing is tested on it\n`)
}
