import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

/** PostgreSQL's own iteration count for SCRAM-SHA-256 (scram_iterations' default). */
const ITERATIONS = 4096;
const SALT_BYTES = 16;

/**
 * Whether `scramSha256Verifier` takes `password`: printable ASCII, which SASLprep leaves unchanged, so the verifier
 * matches the server's own hashing exactly; a generated database secret always is.
 */
export function isVerifiablePassword(password: string): boolean {
  return /^[\x20-\x7e]+$/.test(password);
}

/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores for `password` (what `psql`'s \password and libpq's
 * PQencryptPasswordConn send), so a role's password is set without the password itself ever reaching the server,
 * where a statement log or an error report could keep it. Printable ASCII only (isVerifiablePassword).
 */
export function scramSha256Verifier(password: string, salt: Buffer = randomBytes(SALT_BYTES)): string {
  if (!isVerifiablePassword(password)) throw new Error('a database role password must be printable ASCII characters, and not empty');
  const salted = pbkdf2Sync(password, salt, ITERATIONS, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${ITERATIONS}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}
