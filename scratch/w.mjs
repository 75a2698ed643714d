import pino from 'pino'
const s = pino.transport({ target: process.cwd() + '/dist/transport/index.js', options: { batchRows: 0, connectionString: 'postgres://x@127.0.0.1:1/x' } })
s.on('error', e => { console.log('error event', e?.constructor?.name, e?.code, e?.message, Object.keys(e)); })
s.on('close', () => console.log('close'))
setTimeout(() => {}, 3000)
