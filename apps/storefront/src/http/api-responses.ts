import { applyDecorators } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiForbiddenResponse,
  ApiPayloadTooLargeResponse,
  ApiTooManyRequestsResponse,
  ApiUnsupportedMediaTypeResponse,
  type ReferenceObject,
  type SchemaObject,
} from '@nestjs/swagger';
import { ApiErrorDto, InvalidRequestDto } from './api-error';

/**
 * The answers of a route taking a JSON body that it will not act on: a bad field, a body it cannot read at all, a
 * request from another site, or one too many from this client.
 */
export function ApiRejectedBodyResponses(badField: string): MethodDecorator {
  return applyDecorators(
    ApiBadRequestResponse({ type: InvalidRequestDto, description: `${badField}, or the body is not a JSON object` }),
    ApiForbiddenResponse({ type: ApiErrorDto, description: 'Sent from another site (Origin or Sec-Fetch-Site); nothing is sent' }),
    ApiPayloadTooLargeResponse({ type: InvalidRequestDto, description: 'The body is larger than 100 kB; nothing is sent' }),
    ApiUnsupportedMediaTypeResponse({
      type: InvalidRequestDto,
      description: 'The body is not JSON (content-type), or its charset or content-encoding is not supported; nothing is sent',
    }),
    ApiTooManyRequestsResponse({
      type: ApiErrorDto,
      description: 'Too many POSTs from this client this minute (RATE_LIMIT_POSTS_PER_MINUTE); retry after Retry-After seconds',
    }),
  );
}

/**
 * One server-sent event, as a `text/event-stream` schema describes it before OpenAPI 3.2 (3.2 calls it `itemSchema`):
 * an object of the event's fields, whose `data` is JSON text. `contentSchema`, when given, is what that JSON holds.
 */
export function serverSentEventSchema(contentSchema?: SchemaObject | ReferenceObject): SchemaObject {
  const data = { type: 'string', contentMediaType: 'application/json', ...(contentSchema ? { contentSchema } : {}) };
  return {
    type: 'object',
    required: ['data'],
    properties: { id: { type: 'string', description: 'The message id' }, event: { type: 'string' }, data: data as SchemaObject },
  };
}
