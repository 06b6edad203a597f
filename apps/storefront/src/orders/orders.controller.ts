import { Body, Controller, Get, Inject, Param, Post } from '@nestjs/common';
import {
  ApiBadGatewayResponse,
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { ZodResponse } from 'nestjs-zod';
import { ApiErrorDto, InvalidRequestDto, UpstreamErrorDto } from '../http/api-error';
import { ApiRejectedBodyResponses } from '../http/api-responses';
import { OrderAcceptedDto, OrderIdParamsDto, OrderViewDto, PlaceOrderRequestDto } from './order.schemas';
import { OrdersService } from './orders.service';

@ApiTags('orders')
@Controller('api/orders')
export class OrdersController {
  constructor(@Inject(OrdersService) private readonly orders: OrdersService) {}

  @Post()
  @ApiOperation({ summary: 'Place an order: sends PlaceOrder to the order queue and answers at once' })
  @ZodResponse({ status: 202, type: OrderAcceptedDto, description: 'Accepted; the checkout runs on. Poll GET /api/orders/{id}' })
  @ApiRejectedBodyResponses('A field is invalid or a SKU unknown; nothing is sent')
  @ApiServiceUnavailableResponse({
    type: UpstreamErrorDto,
    description: 'inventory-service (prices) or the order queue cannot be reached; retry, with the same orderId to place the order once',
  })
  @ApiBadGatewayResponse({ type: UpstreamErrorDto, description: 'inventory-service answered something unreadable; nothing is sent' })
  place(@Body() body: PlaceOrderRequestDto) {
    return this.orders.place(body);
  }

  @Get(':id')
  @ApiOperation({ summary: 'An order’s status, as order-service has it; pending while it is still on its way there' })
  @ZodResponse({ status: 200, type: OrderViewDto, description: 'The order' })
  @ApiBadRequestResponse({ type: InvalidRequestDto, description: 'The id is not a UUID' })
  @ApiNotFoundResponse({ type: ApiErrorDto, description: 'No such order, and too old to be still on its way' })
  @ApiServiceUnavailableResponse({ type: UpstreamErrorDto, description: 'order-service cannot be reached' })
  @ApiBadGatewayResponse({ type: UpstreamErrorDto, description: 'order-service answered something unreadable' })
  find(@Param() params: OrderIdParamsDto) {
    return this.orders.find(params.id);
  }
}
