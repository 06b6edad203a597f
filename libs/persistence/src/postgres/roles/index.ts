// The `@stitch/persistence/database-roles` entry point: each service's own login role and database, planned and
// applied, for whatever runs that against a server (the AWS custom resource's function, the runner in main.ts). Kept
// apart from the main entry point, which loads Prisma and Nest: a function bundled from this one stays small.
export * from './plan';
export * from './apply';
export * from './scram-verifier';
