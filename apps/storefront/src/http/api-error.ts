import { BadGatewayException, BadRequestException, HttpException, ServiceUnavailableException } from '@nestjs/common';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';

/** One bad field: its path in the request (`items.0.quantity`) and what is wrong with it, never its value. */
export const fieldProblemSchema = z.object({ path: z.string(), message: z.string() });
export type FieldProblem = z.infer<typeof fieldProblemSchema>;

export const apiErrorSchema = z.object({ message: z.string() });
export class ApiErrorDto extends createZodDto(apiErrorSchema) {}

/** The answer to a request the storefront will not act on (400, 413, 415): nothing was sent or published for it. */
export const invalidRequestSchema = apiErrorSchema.extend({
  errors: z.array(fieldProblemSchema).min(1).describe('Each bad field; the path is empty when the body as a whole is at fault'),
});
export class InvalidRequestDto extends createZodDto(invalidRequestSchema) {}

/** The answer when a service the storefront asks could not answer (502, 503). */
export const upstreamErrorSchema = apiErrorSchema.extend({ service: z.string().describe('The service that could not answer') });
export class UpstreamErrorDto extends createZodDto(upstreamErrorSchema) {}

/** A 400 naming every bad field; the values themselves are left out, since one of them may be a card number. */
export class InvalidRequestException extends BadRequestException {
  constructor(readonly errors: readonly FieldProblem[]) {
    super({ message: 'Invalid request', errors });
  }
}

/** A body the storefront cannot read at all (too large, an unsupported charset or encoding): its own status. */
export class UnreadableBodyException extends HttpException {
  constructor(status: number, problem: string) {
    super({ message: 'Invalid request', errors: [{ path: '', message: problem }] } satisfies z.infer<typeof invalidRequestSchema>, status);
  }
}

export function fieldPath(path: readonly PropertyKey[]): string {
  return path.map(String).join('.');
}

export function problemsOf(error: unknown): FieldProblem[] {
  if (!(error instanceof z.ZodError)) return [{ path: '', message: 'Invalid request' }];
  return error.issues.flatMap((issue) =>
    // Each unexpected field is named on its own, rather than its parent being blamed for it.
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: fieldPath([...issue.path, key]), message: 'not a field of this request' }))
      : [{ path: fieldPath(issue.path), message: issue.message }],
  );
}

/** Another service could not be reached, timed out or failed: the storefront says which, rather than a 500. */
export class UpstreamUnavailableException extends ServiceUnavailableException {
  constructor(readonly service: string) {
    super({ message: `${service} is unavailable; try again shortly`, service });
  }
}

/** Another service answered something the storefront cannot read: a contract mismatch between the two. */
export class UpstreamInvalidAnswerException extends BadGatewayException {
  constructor(readonly service: string) {
    super({ message: `${service} gave an answer the storefront cannot read`, service });
  }
}
