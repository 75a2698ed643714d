import { Injectable } from '@nestjs/common'
import { databaseQuery } from 'curator-log'

@Injectable()
export class OrdersService {
  @databaseQuery('SELECT')
  async load (id: string): Promise<{ id: string, total: number }> {
    await new Promise(resolve => setTimeout(resolve, 5))
    return { id, total: 12 }
  }
}
