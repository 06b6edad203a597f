import { registerAs, type ConfigType } from '@nestjs/config';
import { parseConfig } from '@stitch/messaging-core';
import { z } from 'zod';

const schema = z
  .object({
    /** `production` makes OPERATOR_TOKEN required: a deployed storefront never runs its operator endpoints closed by accident. */
    NODE_ENV: z.string().optional(),
    /**
     * The bearer token the dead-letter endpoints (and the page's Dead letters panel) require. A secret: never logged.
     * `npm start` makes one per data folder (<dir>/operator-token) unless it is set.
     */
    OPERATOR_TOKEN: z.preprocess(
      (value) => (value === '' ? undefined : value),
      z
        .string()
        .min(16, 'at least 16 characters')
        .max(512, 'at most 512 characters')
        .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces')
        .optional(),
    ),
  })
  .superRefine((env, context) => {
    if (env.NODE_ENV === 'production' && env.OPERATOR_TOKEN === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['OPERATOR_TOKEN'],
        message: 'required with NODE_ENV=production (the dead-letter endpoints need an operator credential)',
      });
    }
  });

export const operatorConfig = registerAs('operator', () => {
  const env = parseConfig('operator', schema, process.env);
  return { token: env.OPERATOR_TOKEN };
});

export type OperatorConfig = ConfigType<typeof operatorConfig>;
