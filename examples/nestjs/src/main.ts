import 'reflect-metadata'
import { NestFactory } from '@nestjs/core'
import { requestContext } from 'curator-log'
import { Logger } from 'nestjs-pino'
import { AppModule } from './app.module.js'
import { logger } from './logger.js'

const app = await NestFactory.create(AppModule, { bufferLogs: true })
app.useLogger(app.get(Logger))
// Before Nest's own middleware: every line of the request, Nest's included, carries its request_id.
app.use(requestContext({ logger }))
await app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1')
logger.info({ port: Number(process.env.PORT ?? 3000) }, 'listening')
