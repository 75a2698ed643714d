import sonicBoom from 'sonic-boom'

// sonic-boom is CommonJS: at run time its default export is the class its types call SonicBoom.
export const SonicBoom = sonicBoom as unknown as typeof import('sonic-boom').SonicBoom

let direct: InstanceType<typeof SonicBoom> | undefined

/**
 * From now on, warnings go to fd 2 synchronously. A worker's process.stderr is a pipe to the app
 * thread, and once the transport closes the app thread may be blocked in pino's exit hook until the
 * worker is done: a warning sent that way died with the process (a short script against a server that
 * was down printed nothing). Before the close, process.stderr keeps it in order with the app's own.
 */
export function warnDirectly (): void {
  direct ??= new SonicBoom({ fd: 2, sync: true })
}

/** Writes one warning as a pino line (level 40, name curator-log) to stderr. */
export function warn (msg: string): void {
  const line = JSON.stringify({ level: 40, time: Date.now(), name: 'curator-log', msg }) + '\n'
  if (direct !== undefined) direct.write(line)
  else process.stderr.write(line)
}
