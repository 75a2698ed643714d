// A worker transport that only receives lines: the cheapest destination, so a benchmark of the app
// thread measures the logger and not the sink.
import build from 'pino-abstract-transport'

export default async function () {
  return build(source => { source.on('data', () => {}) }, { parse: 'lines', metadata: false })
}
