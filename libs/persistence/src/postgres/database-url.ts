/** The same server, user and options as `url`, another database. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

const MAX_IDENTIFIER_LENGTH = 63;

/**
 * Every service owns one database on the shared server, named after it: `order-service` -> `stitch_order`,
 * `storefront` -> `stitch_storefront`.
 */
export function serviceDatabaseName(service: string): string {
  const base = service
    .toLowerCase()
    .replace(/-service$/, '')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  const name = `stitch_${base}`;
  if (!base || name.length > MAX_IDENTIFIER_LENGTH) throw new Error(`cannot name a database after service "${service}"`);
  return name;
}

/** The URL of a service's own database on the server `serverUrl` names. */
export function serviceDatabaseUrl(serverUrl: string, service: string): string {
  return withDatabase(serverUrl, serviceDatabaseName(service));
}
