import { createLogger } from 'curator-log'

/** One logger for the process: nestjs-pino writes through it, and the timing decorators use it. */
export const logger = createLogger({ name: 'nest-example', database: { schema: process.env.LOG_SCHEMA } })
