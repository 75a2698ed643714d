import { Module } from '@nestjs/common'
import { getContext } from 'curator-log'
import { LoggerModule } from 'nestjs-pino'
import { logger } from './logger.js'
import { OrdersController } from './orders.controller.js'
import { OrdersService } from './orders.service.js'

@Module({
  imports: [LoggerModule.forRoot({
    pinoHttp: {
      logger,
      // curator-log's middleware logs the request lines and set the id; pino-http reuses it.
      autoLogging: false,
      quietReqLogger: true,
      genReqId: () => String(getContext().request_id)
    }
  })],
  controllers: [OrdersController],
  providers: [OrdersService]
})
export class AppModule {}
