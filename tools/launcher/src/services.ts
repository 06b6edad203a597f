import { shopServices as manifestServices, urlVariable, type ServiceManifestEntry } from '@stitch/manifest';

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

/** A service of the manifest as the launcher runs it: its app's entry point, and the URLs of the services it calls. */
function fromManifest(service: ServiceManifestEntry): ServiceDefinition {
  return {
    name: service.name,
    script: `apps/${service.name}/src/main.ts`,
    defaultPort: service.port,
    ...(service.calls.length > 0 ? { urlsOf: Object.fromEntries(service.calls.map((called) => [urlVariable(called), called])) } : {}),
  };
}

/** The shop: what `npm start` and the end-to-end tests run, with the ports of the design. */
export const shopServices: readonly ServiceDefinition[] = manifestServices.map(fromManifest);
