import { Controller, Get, Inject } from '@nestjs/common';
import { ApiBadGatewayResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { ZodResponse } from 'nestjs-zod';
import { UpstreamErrorDto } from '../http/api-error';
import { InventoryClient } from './inventory.client';
import { ProductListDto } from './product.schemas';

@ApiTags('products')
@Controller('api/products')
export class ProductsController {
  constructor(@Inject(InventoryClient) private readonly inventory: InventoryClient) {}

  @Get()
  @ApiOperation({ summary: 'The catalogue with current prices and stock, as inventory-service has them' })
  @ZodResponse({ status: 200, type: ProductListDto, description: 'Every product' })
  @ApiServiceUnavailableResponse({ type: UpstreamErrorDto, description: 'inventory-service cannot be reached' })
  @ApiBadGatewayResponse({ type: UpstreamErrorDto, description: 'inventory-service answered something unreadable' })
  list() {
    return this.inventory.products();
  }
}
