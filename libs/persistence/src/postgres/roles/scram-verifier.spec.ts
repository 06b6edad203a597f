import { createHash, createHmac } from 'node:crypto';
import { scramSha256Verifier } from './scram-verifier';

// RFC 7677's SCRAM-SHA-256 exchange: user "user", password "pencil".
const rfc7677 = {
  salt: 'W22ZaJ0SNY7soEsUEjb6gQ==',
  authMessage: [
    'n=user,r=rOprNGfwEbeRWgbNEkqO',
    'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
    'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0',
  ].join(','),
  clientProof: 'dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
  serverSignature: '6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
};

describe('scramSha256Verifier', () => {
  it("holds the keys that verify RFC 7677's exchange, in PostgreSQL's format", () => {
    const verifier = scramSha256Verifier('pencil', Buffer.from(rfc7677.salt, 'base64'));
    const match = /^SCRAM-SHA-256\$4096:([^$]+)\$([^:]+):(.+)$/.exec(verifier);
    expect(match?.[1]).toBe(rfc7677.salt);
    const storedKey = Buffer.from(match![2]!, 'base64');
    const serverKey = Buffer.from(match![3]!, 'base64');

    // The server proves itself with ServerKey...
    expect(createHmac('sha256', serverKey).update(rfc7677.authMessage).digest('base64')).toBe(rfc7677.serverSignature);
    // ...and checks the client's proof against StoredKey: ClientKey = proof XOR HMAC(StoredKey, AuthMessage), H(ClientKey) = StoredKey.
    const clientSignature = createHmac('sha256', storedKey).update(rfc7677.authMessage).digest();
    const clientKey = Buffer.from(rfc7677.clientProof, 'base64').map((byte, index) => byte ^ clientSignature[index]!);
    expect(createHash('sha256').update(clientKey).digest()).toEqual(storedKey);
  });
});
