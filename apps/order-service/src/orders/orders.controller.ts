import { BadRequestException, Controller, Get, Inject, NotFoundException, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { OrdersRepository, type OrderView } from './orders.repository';

const uuidParameter = new ParseUUIDPipe({ exceptionFactory: () => new BadRequestException('id must be a UUID') });
const customerParameter = new ParseUUIDPipe({ exceptionFactory: () => new BadRequestException('customerId must be a UUID') });

/** Queries are not messages: whoever needs an order's state now asks over HTTP and gets it at once. */
@Controller('orders')
export class OrdersController {
  constructor(@Inject(OrdersRepository) private readonly orders: OrdersRepository) {}

  /** One customer's orders, newest first (at most MAX_LISTED_ORDERS): what the storefront lists for its session. */
  @Get()
  list(@Query('customerId', customerParameter) customerId: string): Promise<OrderView[]> {
    return this.orders.listViews(customerId);
  }

  @Get(':id')
  async findOne(@Param('id', uuidParameter) id: string): Promise<OrderView> {
    const order = await this.orders.findView(id);
    if (!order) throw new NotFoundException(`order ${id} not found`);
    return order;
  }
}
