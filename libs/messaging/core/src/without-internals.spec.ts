import { withoutInternals } from './without-internals';

describe('withoutInternals', () => {
  it('drops stack frames', () => {
    expect(
      withoutInternals(
        'Error: boom\n    at Foo.bar (/srv/app/dist/x.js:12:3)\n    at async Promise.all (index 0)\n    at /srv/app/y.js:1:2',
      ),
    ).toBe('Error: boom');
  });

  it('replaces absolute paths and file:line:col, and drops quoted source lines', () => {
    const prisma = [
      'PrismaClientKnownRequestError: ',
      'Invalid `prisma.order.create()` invocation in',
      '/srv/stitch/apps/order-service/src/orders/orders.repository.ts:42:17',
      '',
      '  39 }',
      '  40 ',
      '  41 async save() {',
      '→ 42   await this.prisma.order.create(',
      'Unique constraint failed on the fields: (`id`)',
    ].join('\n');
    expect(withoutInternals(prisma)).toBe(
      'PrismaClientKnownRequestError: Invalid `prisma.order.create()` invocation in <path> Unique constraint failed on the fields: (`id`)',
    );
    expect(withoutInternals("ENOENT: no such file or directory, open '/home/ada/.data/mail/1.eml'")).toBe(
      "ENOENT: no such file or directory, open '<path>'",
    );
    expect(withoutInternals('failed in C:\\shop\\x.js:3:4, file:///shop/y.mjs:1:2 and src/z.ts:10:2')).toBe(
      'failed in <path>, <path> and <path>',
    );
  });

  it('keeps what an operator needs: names, ids, URLs, sources, times', () => {
    const text =
      'UnknownUserError: user 3b241101-e2bb-4255-8caf-4136c566a962 is not known; see http://example.com/a/b, events/email-service, 12:30:00';
    expect(withoutInternals(text)).toBe(text);
  });

  it('caps the length', () => {
    expect(withoutInternals('x'.repeat(2_000), 100)).toHaveLength(100);
  });
});
