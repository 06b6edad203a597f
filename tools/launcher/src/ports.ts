import net from 'node:net';
import type { ServiceDefinition } from './services';

/**
 * 'default': the first replica of each service takes its own port (3000-3005, or moved by a base port);
 * 'free': every process a free one.
 */
export type PortMode = 'default' | 'free';

/** The storefront's port of the design: a base port moves every service's own port by the same distance. */
export const DESIGN_BASE_PORT = 3000;

export interface InstancePlan {
  readonly service: string;
  /** `<service>-<n>`, n from 1: the INSTANCE_ID the process gets. */
  readonly instance: string;
  readonly replica: number;
  readonly port: number;
  readonly url: string;
}

export interface PortProbe {
  /** A port nobody listens on right now. */
  freePort(): Promise<number>;
  isFree(port: number): Promise<boolean>;
}

/** A default port another program holds: the shop cannot start as the design says, so it stops with this. */
export class PortTakenError extends Error {
  override readonly name = 'PortTakenError';
}

export const HOST = '127.0.0.1';

/**
 * Every process to start, with its port. Replicas after the first always take free ports, which are never one
 * of the services' own ports nor handed out twice.
 */
export async function planInstances(
  services: readonly ServiceDefinition[],
  scale: Readonly<Record<string, number>>,
  mode: PortMode,
  probe: PortProbe,
  basePort = DESIGN_BASE_PORT,
): Promise<InstancePlan[]> {
  const ownPort = (service: ServiceDefinition) => service.defaultPort - DESIGN_BASE_PORT + basePort;
  const taken = new Set<number>(mode === 'default' ? services.map(ownPort) : []);
  const nextFreePort = async (): Promise<number> => {
    for (let attempt = 0; attempt < 50; attempt++) {
      const port = await probe.freePort();
      if (!taken.has(port)) {
        taken.add(port);
        return port;
      }
    }
    throw new Error('could not find a free port that is not already handed out');
  };

  const plans: InstancePlan[] = [];
  for (const service of services) {
    const replicas = scale[service.name] ?? 1;
    for (let replica = 1; replica <= replicas; replica++) {
      let port: number;
      if (mode === 'default' && replica === 1) {
        port = ownPort(service);
        if (!(await probe.isFree(port))) {
          const otherBase = basePort + 1000;
          throw new PortTakenError(
            `${service.name} needs port ${port}, but another program listens there (another shop still running?): stop it, or start this shop on other ports with npm start -- --port ${otherBase}`,
          );
        }
      } else {
        port = await nextFreePort();
      }
      plans.push({ service: service.name, instance: `${service.name}-${replica}`, replica, port, url: `http://${HOST}:${port}` });
    }
  }
  return plans;
}

/** The embedded PostgreSQL's port: 5432 for `npm start` unless taken, otherwise (and for tests) a free one. */
export async function choosePostgresPort(
  mode: PortMode,
  probe: PortProbe,
  preferred = 5432,
): Promise<{ port: number; preferredTaken: boolean }> {
  if (mode === 'default') {
    if (await probe.isFree(preferred)) return { port: preferred, preferredTaken: false };
    return { port: await probe.freePort(), preferredTaken: true };
  }
  return { port: await probe.freePort(), preferredTaken: false };
}

/** Whether a server could listen on `port` of 127.0.0.1 right now. */
export function isPortFree(port: number, host = HOST): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') resolve(false);
      else reject(error);
    });
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
}
