import { createZodValidationPipe } from 'nestjs-zod';
import { InvalidRequestException, problemsOf } from './api-error';

/** Every body, query and path parameter typed with a zod DTO is validated; a failure is a 400 naming each field. */
export const RequestValidationPipe = createZodValidationPipe({
  createValidationException: (error) => new InvalidRequestException(problemsOf(error)),
});
