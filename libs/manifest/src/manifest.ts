/** One service of the shop: everything the catalogue, the launcher, the tests and docker-compose.yml need to know of it. */
export interface ServiceManifestEntry {
  /** The service's name: its app folder (`apps/<name>`), queue, subscription and logs carry it. */
  readonly name: string;
  /** The port of its first replica when the launcher uses the default ports, and its port in a container. */
  readonly port: number;
  /** The database it owns on the shared PostgreSQL server; none for a service without data. */
  readonly database?: string;
  /** Whether it serves customers over HTTP: only such a service gets a published port. */
  readonly publicHttp: boolean;
  /** How many replicas docker-compose.yml runs. */
  readonly replicas: number;
  /** The services it calls over HTTP; each one's URL reaches it as `<KEY>_URL` (`order-service` -> `ORDER_URL`). */
  readonly calls: readonly string[];
  /** Secrets it reads from its environment; deployments pass them from a secret store, never from a file. */
  readonly secrets: readonly string[];
  readonly description: string;
}

/**
 * The shop's services, the only list of them. A generator adds a service by inserting one entry block before the
 * end-of-list marker line; every entry is a block of its own, so keep it that way.
 */
export const shopServices = [
  {
    name: 'storefront',
    port: 3000,
    database: 'stitch_storefront',
    publicHttp: true,
    replicas: 1,
    calls: ['order-service', 'inventory-service', 'notification-service'],
    secrets: ['SESSION_SECRET', 'OPERATOR_TOKEN'],
    description: 'the HTTP API and web page with the live flow view; customer sessions and idempotency keys',
  },
  {
    name: 'order-service',
    port: 3001,
    database: 'stitch_order',
    publicHttp: false,
    replicas: 1,
    calls: [],
    secrets: [],
    description: 'orders and the checkout saga; its copy of users',
  },
  {
    name: 'inventory-service',
    port: 3002,
    database: 'stitch_inventory',
    publicHttp: false,
    replicas: 1,
    calls: [],
    secrets: [],
    description: 'products, prices, stock and reservations',
  },
  {
    name: 'payment-service',
    port: 3003,
    database: 'stitch_payment',
    publicHttp: false,
    replicas: 1,
    calls: [],
    secrets: [],
    description: 'charges and refunds on a simulated card provider',
  },
  {
    name: 'email-service',
    port: 3004,
    database: 'stitch_email',
    publicHttp: false,
    replicas: 1,
    calls: [],
    secrets: [],
    description: 'mails composed with nodemailer, written to the data folder or sent over SMTP',
  },
  {
    name: 'notification-service',
    port: 3005,
    database: 'stitch_notification',
    publicHttp: false,
    replicas: 1,
    calls: [],
    secrets: [],
    description: 'pushes order and sign-up news to browsers over server-sent events, from any replica',
  },
  // @stitch-manifest: end of services (a generator inserts new entries above this line)
] as const satisfies readonly ServiceManifestEntry[];

type ShopService = (typeof shopServices)[number];

export type ServiceName = ShopService['name'];

/** The short name a service goes by in code: its name without `-service` (`order-service` -> `order`). */
export type ServiceKey<N extends string> = N extends `${infer Key}-service` ? Key : N;

export function serviceKey<N extends string>(name: N): ServiceKey<N> {
  return name.replace(/-service$/, '') as ServiceKey<N>;
}

/** Each service's name by its short name: `Services.order` is `'order-service'`. */
export const Services = Object.freeze(Object.fromEntries(shopServices.map((service) => [serviceKey(service.name), service.name]))) as {
  readonly [S in ShopService as ServiceKey<S['name']>]: S['name'];
};

export const serviceNames: readonly ServiceName[] = shopServices.map((service) => service.name);

export function isServiceName(name: string): name is ServiceName {
  return (serviceNames as readonly string[]).includes(name);
}

export function serviceEntry(name: string): ServiceManifestEntry {
  const entry = shopServices.find((service) => service.name === name);
  if (!entry) throw new Error(`no service "${name}" in the manifest; the services are ${serviceNames.join(', ')}`);
  return entry;
}

/** The environment variable that carries a service's URL to the services that call it: `ORDER_URL`. */
export function urlVariable(name: string): string {
  return `${serviceKey(name).toUpperCase().replace(/-/g, '_')}_URL`;
}

/** The services that own data, with their databases. */
export function databaseOwners(): { readonly service: ServiceName; readonly database: string }[] {
  const entries: readonly ServiceManifestEntry[] = shopServices;
  return entries.flatMap((service) =>
    service.database === undefined ? [] : [{ service: service.name as ServiceName, database: service.database }],
  );
}
