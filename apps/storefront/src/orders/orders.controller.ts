import { Body, Controller, Get, HttpException, Inject, Param, Post, UseGuards } from '@nestjs/common';
import {
  ApiBadGatewayResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCookieAuth,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ZodResponse } from 'nestjs-zod';
import { ApiErrorDto, InvalidRequestDto, UpstreamErrorDto } from '../http/api-error';
import { ApiRejectedBodyResponses } from '../http/api-responses';
import { SESSION_COOKIE } from '../session/customer-session';
import { CustomerId, SessionGuard } from '../session/session.guard';
import {
  OrderAcceptedDto,
  OrderIdConflictDto,
  type OrderAccepted,
  OrderIdParamsDto,
  OrderListDto,
  OrderViewDto,
  PlaceOrderRequestDto,
} from './order.schemas';
import { OrdersService } from './orders.service';

@ApiTags('orders')
@ApiCookieAuth(SESSION_COOKIE)
@ApiUnauthorizedResponse({ type: ApiErrorDto, description: 'No customer session (sign up first), or it is forged or expired' })
@UseGuards(SessionGuard)
@Controller('api/orders')
export class OrdersController {
  constructor(@Inject(OrdersService) private readonly orders: OrdersService) {}

  @Post()
  @ApiOperation({ summary: 'Place an order for the session’s customer: sends PlaceOrder to the order queue and answers at once' })
  @ZodResponse({ status: 202, type: OrderAcceptedDto, description: 'Accepted; the checkout runs on. Poll GET /api/orders/{id}' })
  @ApiRejectedBodyResponses('A field is invalid or a SKU unknown; nothing is sent')
  @ApiServiceUnavailableResponse({
    type: UpstreamErrorDto,
    description: 'inventory-service (prices) or the order queue cannot be reached; retry, with the same orderId to place the order once',
  })
  @ApiBadGatewayResponse({ type: UpstreamErrorDto, description: 'inventory-service answered something unreadable; nothing is sent' })
  @ApiForbiddenResponse({ type: ApiErrorDto, description: 'userId is another customer’s; nothing is sent' })
  @ApiConflictResponse({
    type: OrderIdConflictDto,
    description: 'orderId is already used by a different order (or another customer); nothing is sent',
  })
  async place(@CustomerId() customerId: string, @Body() body: PlaceOrderRequestDto) {
    // A retry under an order id already accepted gets the first answer again, status included. Only acceptances
    // (202) are recorded today; an answer of another status would be replayed as the error it was.
    const answer = await this.orders.place(customerId, body);
    if (answer.status !== 202) throw new HttpException(answer.body as Record<string, unknown>, answer.status);
    return answer.body as OrderAccepted;
  }

  @Get()
  @ApiOperation({
    summary: 'The session customer’s orders, newest first (at most 50), as order-service has them; pending while still on their way there',
  })
  @ZodResponse({
    status: 200,
    type: OrderListDto,
    description: 'Each order with its checkout’s correlation id and when it was placed; an order not at order-service yet reads pending',
  })
  @ApiServiceUnavailableResponse({ type: UpstreamErrorDto, description: 'order-service cannot be reached' })
  @ApiBadGatewayResponse({ type: UpstreamErrorDto, description: 'order-service answered something unreadable' })
  list(@CustomerId() customerId: string) {
    return this.orders.list(customerId);
  }

  @Get(':id')
  @ApiOperation({ summary: 'An order’s status, as order-service has it; pending while it is still on its way there' })
  @ZodResponse({
    status: 200,
    type: OrderViewDto,
    description: 'The order as GET /api/orders lists it: with its checkout’s correlation id and when it was placed',
  })
  @ApiBadRequestResponse({ type: InvalidRequestDto, description: 'The id is not a UUID' })
  @ApiNotFoundResponse({
    type: ApiErrorDto,
    description: 'No such order of this customer (another customer’s order is not shown), and too old to be still on its way',
  })
  @ApiServiceUnavailableResponse({ type: UpstreamErrorDto, description: 'order-service cannot be reached' })
  @ApiBadGatewayResponse({ type: UpstreamErrorDto, description: 'order-service answered something unreadable' })
  find(@CustomerId() customerId: string, @Param() params: OrderIdParamsDto) {
    return this.orders.find(customerId, params.id);
  }
}
