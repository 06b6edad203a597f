#!/bin/sh
# Stands in for Prisma's native schema engine, which this repo never runs (see prisma-offline.mjs).
# `prisma generate|validate|format` only check that the file exists; anything that really needs the engine
# (migrate dev/deploy, db push, introspection) must fail loudly rather than "succeed" with a no-op.
echo "prisma-offline: the native schema engine is not used in this repo; migrations: node --require @swc-node/register tools/prisma/migrate.ts" >&2
exit 1
