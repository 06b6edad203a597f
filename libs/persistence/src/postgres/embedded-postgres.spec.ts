import { socketDirectory } from './embedded-postgres';

describe('socketDirectory', () => {
  it('puts the socket in the data folder when its path fits a socket address', () => {
    expect(socketDirectory('/home/ada/shop/.data/postgres', 5432, 'linux')).toBe('/home/ada/shop/.data/postgres');
  });

  it('leaves the server on TCP alone when the path would not fit, or on Windows', () => {
    const deep = `/home/ada/${'nested/'.repeat(13)}.data/postgres`;
    expect(Buffer.byteLength(`${deep}/.s.PGSQL.5432`)).toBeGreaterThan(103);
    expect(socketDirectory(deep, 5432, 'linux')).toBeUndefined();
    expect(socketDirectory('C:\\shop\\.data\\postgres', 5432, 'win32')).toBeUndefined();
  });

  it('counts bytes, not characters', () => {
    const accented = `/home/${'é'.repeat(50)}/pg`;
    expect(accented.length + '/.s.PGSQL.5432'.length).toBeLessThanOrEqual(103);
    expect(socketDirectory(accented, 5432, 'linux')).toBeUndefined();
  });
});
