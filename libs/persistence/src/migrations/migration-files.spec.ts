import path from 'node:path';
import { migrationSlug, migrationTimestamp, readMigrationsList, readSchemaFiles } from './migration-files';

const testPrisma = path.join(__dirname, '..', '..', 'test', 'prisma');

describe('migration files', () => {
  it('slugifies migration names as the Prisma CLI does for plain ASCII names', () => {
    expect(migrationSlug('AddColor!')).toBe('add_color');
    expect(migrationSlug('add color')).toBe('add_color');
    expect(migrationSlug('  Add Size!  ')).toBe('add_size');
    expect(migrationSlug('!!!')).toBe('');
  });

  it('prefixes migrations with a UTC yyyyMMddHHmmss timestamp', () => {
    expect(migrationTimestamp(new Date('2026-03-04T05:06:07.890Z'))).toBe('20260304050607');
  });

  it('reads a migrations folder in order, with its lockfile', async () => {
    const list = await readMigrationsList(path.join(testPrisma, 'migrations'));
    expect(list.lockfile.content).toMatch(/provider = "postgresql"/);
    expect(list.migrationDirectories.map((d) => d.path)).toEqual([...list.migrationDirectories.map((d) => d.path)].sort());
    expect(list.migrationDirectories[0]?.migrationFile.content.tag).toBe('ok');
  });

  it('reads every .prisma file of a schema folder', async () => {
    const files = await readSchemaFiles(path.join(testPrisma, 'schema'));
    expect(files.map((f) => path.basename(f.path))).toEqual(['schema.prisma', 'stitch.prisma']);
  });
});
