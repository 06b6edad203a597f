import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SHARED_SCHEMA_FILE, SHARED_SCHEMA_SOURCE, sharedSchemaState, syncSharedSchema } from './shared-schema';

let folder: string;

beforeEach(async () => {
  folder = await mkdtemp(path.join(os.tmpdir(), 'stitch-shared-schema-'));
});

afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('the shared outbox and inbox schema', () => {
  it('is written unchanged into the test schema folder by the generate target', async () => {
    expect(await sharedSchemaState(path.join(__dirname, '..', '..', 'test', 'prisma', 'schema'))).toBe('in-sync');
  });

  it('is written into a schema folder that lacks it or has an outdated copy', async () => {
    expect(await sharedSchemaState(folder)).toBe('missing');
    expect(await syncSharedSchema(folder)).toBe(true);
    expect(await sharedSchemaState(folder)).toBe('in-sync');
    expect(await syncSharedSchema(folder)).toBe(false);

    await writeFile(path.join(folder, SHARED_SCHEMA_FILE), '// edited by hand\n');
    expect(await sharedSchemaState(folder)).toBe('outdated');
    await syncSharedSchema(folder);
    expect(await readFile(path.join(folder, SHARED_SCHEMA_FILE), 'utf8')).toBe(await readFile(SHARED_SCHEMA_SOURCE, 'utf8'));
  });

  it('needs a schema folder, not a single schema file', async () => {
    const file = path.join(folder, 'schema.prisma');
    await writeFile(file, '');
    await expect(syncSharedSchema(file)).rejects.toThrow(/multi-file schema folder/);
  });
});
