import { Services } from '@stitch/contracts';

/** One kind of process the launcher can start, in as many replicas as asked for. */
export interface ServiceDefinition {
  readonly name: string;
  /** The entry point, relative to the repository root (or absolute); run with `node --require @swc-node/register`. */
  readonly script: string;
  /** The first replica's port when ports are 'default'. */
  readonly defaultPort: number;
  /** Environment variables that carry another service's URL (its first replica), e.g. `{ ORDER_URL: 'order-service' }`. */
  readonly urlsOf?: Readonly<Record<string, string>>;
}

const app = (name: string, defaultPort: number, urlsOf?: Record<string, string>): ServiceDefinition => ({
  name,
  script: `apps/${name}/src/main.ts`,
  defaultPort,
  ...(urlsOf ? { urlsOf } : {}),
});

/** The shop: what `npm start` and the end-to-end tests run, with the ports of the design. */
export const shopServices: readonly ServiceDefinition[] = [
  app(Services.storefront, 3000, {
    ORDER_URL: Services.order,
    INVENTORY_URL: Services.inventory,
    NOTIFICATION_URL: Services.notification,
  }),
  app(Services.order, 3001),
  app(Services.inventory, 3002),
  app(Services.payment, 3003),
  app(Services.email, 3004),
  app(Services.notification, 3005),
];
