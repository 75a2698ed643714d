import { Controller, Get, Param } from '@nestjs/common'
import { apiEndpoint } from 'curator-log'
import { PinoLogger } from 'nestjs-pino'
import { OrdersService } from './orders.service.js'

@Controller('orders')
export class OrdersController {
  constructor (private readonly orders: OrdersService, private readonly log: PinoLogger) {}

  // Above @Get: applied after it, so the route metadata @Get left on the method must carry over.
  @apiEndpoint('get-order')
  @Get(':id')
  async get (@Param('id') id: string): Promise<{ id: string, total: number }> {
    this.log.info({ order_id: id }, 'loading order')
    return this.orders.load(id)
  }
}
