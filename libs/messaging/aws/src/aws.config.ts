import path from 'node:path';
import { registerAs, type ConfigType } from '@nestjs/config';
import { z } from 'zod';
import { parseConfig } from '@stitch/messaging-core';

const schema = z.object({
  /** An emulator (moto server, LocalStack); unset on AWS. */
  AWS_ENDPOINT_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** Unset: the SDK's default chain (the profile's region); an emulator without one gets us-east-1. */
  AWS_REGION: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'must look like eu-west-1')
    .optional(),
  /** Put in front of every queue and the bus, so several runs can share one account or emulator. */
  STITCH_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/, 'must be 1-40 letters, digits, "-" or "_", starting with a letter or digit')
    .optional(),
  /**
   * A diagnostic for permission tests, unset in production: a folder where each service process records the SDK calls
   * it makes (API and resource names, never bodies) in `<service>-<pid>.jsonl`, for a test to check against the IAM
   * policies written for the services.
   */
  AWS_CALL_LOG: z.string().min(1).optional(),
});

/** Settings of the AWS transport (namespace "aws"); credentials come from the SDK's default provider chain. */
export const awsConfig = registerAs('aws', () => {
  const env = parseConfig('aws', schema, process.env);
  const endpoint = env.AWS_ENDPOINT_URL;
  return {
    endpoint,
    region: env.AWS_REGION ?? (endpoint ? 'us-east-1' : undefined),
    prefix: env.STITCH_PREFIX ?? '',
    ...(env.AWS_CALL_LOG ? { callLog: path.resolve(env.AWS_CALL_LOG) } : {}),
  };
});

export type AwsConfig = ConfigType<typeof awsConfig>;
