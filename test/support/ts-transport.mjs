// The worker thread that pino starts has no TypeScript loader: register tsx there, then load the
// transport from source so that tests and coverage see the .ts files.
import { register } from 'tsx/esm/api'

register()
const { default: transport } = await import('../../transport/index.ts')
export default transport
