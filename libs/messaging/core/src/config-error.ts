import type { z } from 'zod';

/** A wrong or missing setting; the bootstrap prints its message as the one line a user sees. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Validates one concern's settings and names every offending variable. */
export function parseConfig<S extends z.ZodType>(namespace: string, schema: S, env: Record<string, string | undefined>): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || namespace}: ${issue.message}`);
  throw new ConfigError(`Invalid ${namespace} configuration: ${problems.join('; ')}`);
}
