import { Body, Controller, Get, HttpCode, Inject, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ZodResponse } from 'nestjs-zod';
import { ApiErrorDto } from '../http/api-error';
import { ApiRejectedBodyResponses } from '../http/api-responses';
import { OperatorGuard } from '../security/operator.guard';
import { DeadLetterListDto, ReplayedDto, ReplayRequestDto } from './dead-letter.schemas';
import { DeadLettersService } from './dead-letters.service';

/** Operator endpoints: every request needs the operator token (`Authorization: Bearer <OPERATOR_TOKEN>`). */
@ApiTags('dead letters (operator)')
@ApiBearerAuth('operator')
@ApiUnauthorizedResponse({ type: ApiErrorDto, description: 'No operator token, or not the configured one' })
@UseGuards(OperatorGuard)
@Controller('api/dead-letters')
export class DeadLettersController {
  constructor(@Inject(DeadLettersService) private readonly deadLetters: DeadLettersService) {}

  @Get()
  @ApiOperation({ summary: 'Every queue and subscription of the shop with its dead letters (operator endpoint: needs the operator token)' })
  @ZodResponse({ status: 200, type: DeadLetterListDto, description: 'One entry per queue and subscription, oldest dead letter first' })
  list() {
    return this.deadLetters.list();
  }

  @Post('replay')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Move dead letters back to the source they failed at (operator endpoint: needs the operator token)',
    description:
      'A command goes back to its queue; an event goes back to the one subscription that failed it, not to every subscriber. Message id and correlation id are kept.',
  })
  @ZodResponse({ status: 200, type: ReplayedDto, description: 'How many were moved; ids no longer there are skipped' })
  @ApiRejectedBodyResponses('The source is not one of the shop, or a field is invalid; nothing is moved')
  async replay(@Body() body: ReplayRequestDto) {
    return { replayed: await this.deadLetters.replay(body.source, body.ids) };
  }
}
