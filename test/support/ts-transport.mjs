// The worker thread that pino starts has no TypeScript loader: register the one tap uses, then load
// the transport from source, so that tests and coverage see the .ts files.
await import('@isaacs/ts-node-temp-fork-for-pr-2009/import')
const { default: transport } = await import('../../transport/index.ts')
export default transport
