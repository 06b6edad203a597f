import { networkFailure, StartupError } from '@stitch/messaging-core';
import type { PostgresConnectionSettings } from './connection-options';

/** Where DATABASE_URL points, without its password: `127.0.0.1:5432` and the user. */
export function describeServer(serverUrl: string): { readonly server: string; readonly user: string } {
  try {
    const url = new URL(serverUrl);
    const host = url.hostname.startsWith('[') ? url.hostname : url.hostname || 'localhost';
    return { server: `${host}:${url.port || '5432'}`, user: decodeURIComponent(url.username) || 'the default user' };
  } catch {
    return { server: 'the server DATABASE_URL names', user: 'the default user' };
  }
}

const EMBEDDED = 'or unset DATABASE_URL to let npm start run the embedded PostgreSQL';

/** Node's codes for a certificate that does not verify, or that names another host. */
const UNVERIFIED_CERTIFICATE =
  /^(SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_(VERIFY_LEAF_SIGNATURE|GET_ISSUER_CERT(_LOCALLY)?)|CERT_[A-Z_]+|ERR_TLS_CERT_ALTNAME_INVALID)$/;

export interface DatabaseStartupContext {
  readonly connectTimeoutMs?: number;
  /** What was set beside DATABASE_URL: it decides which variable a line names. */
  readonly connection?: PostgresConnectionSettings;
}

/**
 * What a failure to reach or use the database server means for a user, as one line naming the server (never the
 * password) and what to do; undefined for an error that is not about reaching the server or being let in.
 */
export function databaseStartupFailure(
  error: unknown,
  serverUrl: string,
  database: string,
  { connectTimeoutMs, connection = {} }: DatabaseStartupContext = {},
): StartupError | undefined {
  if (error instanceof StartupError) return error;
  const { server, user } = describeServer(serverUrl);
  const code = String((error as { code?: unknown })?.code ?? '');
  const message = error instanceof Error ? error.message : String(error);
  const line = (text: string) => new StartupError(text, { cause: error });
  const passwordVariable = connection.password === undefined ? 'DATABASE_URL' : 'DATABASE_PASSWORD';

  if (connection.tlsCa && UNVERIFIED_CERTIFICATE.test(code))
    return line(
      `the PostgreSQL server at ${server} presented a certificate that DATABASE_TLS_CA=${connection.tlsCa} does not verify (${code}): DATABASE_URL must name the server by the host name its certificate is for, e.g. the RDS instance's endpoint`,
    );

  // pg's own words when connectionTimeoutMillis passes (before and after pg 8.12).
  const timedOut = /^(timeout expired|Connection terminated due to connection timeout)/.test(message);
  const down =
    networkFailure(error) ??
    (timedOut ? `no answer within ${connectTimeoutMs ? `${connectTimeoutMs / 1_000} s, ` : ''}DATABASE_CONNECT_TIMEOUT_MS` : undefined);
  if (down)
    return line(
      `cannot reach the PostgreSQL server at ${server} named by DATABASE_URL (${down}): is it running? Start it or correct DATABASE_URL, ${EMBEDDED}`,
    );
  switch (code) {
    case '28P01':
      return line(`the PostgreSQL server at ${server} refused user "${user}": wrong password in ${passwordVariable}`);
    case '28000':
      return line(`the PostgreSQL server at ${server} refused user "${user}": ${firstLine(message)} (DATABASE_URL)`);
    case '3D000':
      return line(
        `${firstLine(message)} on the PostgreSQL server at ${server}: DATABASE_URL names the server and a database the user may connect to, e.g. /postgres`,
      );
    case '42501':
      return line(
        `user "${user}" may not create database ${database} on the PostgreSQL server at ${server}: grant it CREATEDB, or create the database for it`,
      );
    case '57P03':
      return line(`the PostgreSQL server at ${server} is starting up or shutting down: start the service again in a moment`);
    case '53300':
      return line(`the PostgreSQL server at ${server} has no connections left: ${firstLine(message)}`);
  }
  if (/client password must be a string/.test(message)) {
    return line(
      `the PostgreSQL server at ${server} asks user "${user}" for a password, and neither DATABASE_URL nor DATABASE_PASSWORD holds one`,
    );
  }
  if (/does not support SSL/i.test(message)) {
    return line(
      connection.tlsCa
        ? `the PostgreSQL server at ${server} does not support SSL, which DATABASE_TLS_CA requires: enable SSL on the server, or unset DATABASE_TLS_CA`
        : `the PostgreSQL server at ${server} does not support SSL: remove sslmode from DATABASE_URL, or enable SSL on the server`,
    );
  }
  return undefined;
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
