import { BadGatewayException, BadRequestException, ServiceUnavailableException } from '@nestjs/common';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';

/** One bad field: its path in the request (`items.0.quantity`) and what is wrong with it, never its value. */
export const fieldProblemSchema = z.object({ path: z.string(), message: z.string() });
export type FieldProblem = z.infer<typeof fieldProblemSchema>;

export const apiErrorSchema = z
  .object({
    message: z.string(),
    errors: z.array(fieldProblemSchema).optional().describe('Each bad field, for a 400'),
    service: z.string().optional().describe('The service that could not answer, for a 502 or 503'),
  });

export class ApiErrorDto extends createZodDto(apiErrorSchema) {}

/** A 400 naming every bad field; the values themselves are left out, since one of them may be a card number. */
export class InvalidRequestException extends BadRequestException {
  constructor(readonly errors: readonly FieldProblem[]) {
    super({ message: 'Invalid request', errors });
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
