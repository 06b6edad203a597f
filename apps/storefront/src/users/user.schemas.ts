import { UserSignedUp } from '@stitch/contracts';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';

/** Sign-up takes exactly what UserSignedUp carries, so a request that passes here cannot fail on publish. */
export const signUpSchema = UserSignedUp.schema.pick({ email: true, name: true });
export class SignUpDto extends createZodDto(signUpSchema) {}

export const signedUpSchema = z.object({ userId: z.uuid().describe('The new user’s id; use it to place orders') });
export class SignedUpDto extends createZodDto(signedUpSchema) {}
