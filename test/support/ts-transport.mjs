// The worker thread that pino starts has no TypeScript loader: register one, then load the
// transport from source. With coverage on (tap says so in _TAPJS_PROCESSINFO_COVERAGE_) the loader is the one tap
// uses, whose source maps coverage reads; without it tsx, which starts a worker about ten times
// faster (2 s against 17 s at a load of 14 on two cores), so a loaded machine stays within the
// timeouts.
if (process.env._TAPJS_PROCESSINFO_COVERAGE_ !== '0') {
  await import('@isaacs/ts-node-temp-fork-for-pr-2009/import')
} else {
  const { register } = await import('tsx/esm/api')
  register()
}
const { default: transport } = await import('../../transport/index.ts')
export default transport
