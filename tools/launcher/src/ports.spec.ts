import net from 'node:net';
import { choosePostgresPort, isPortFree, planInstances, PortTakenError, type PortProbe } from './ports';
import type { ServiceDefinition } from './services';

const services: ServiceDefinition[] = [
  { name: 'storefront', script: 'a.ts', defaultPort: 3000 },
  { name: 'email-service', script: 'b.ts', defaultPort: 3004 },
];

/** Hands out the given ports in turn; `busy` ports are taken. */
function fakeProbe(freePorts: number[], busy: number[] = []): PortProbe & { asked: number } {
  const queue = [...freePorts];
  const probe = {
    asked: 0,
    freePort: async () => {
      probe.asked++;
      const port = queue.shift();
      if (port === undefined) throw new Error('no more fake free ports');
      return port;
    },
    isFree: async (port: number) => !busy.includes(port),
  };
  return probe;
}

describe('planInstances', () => {
  it("gives each service's first replica its own port and replicas after it free ports", async () => {
    const plans = await planInstances(services, { 'email-service': 3 }, 'default', fakeProbe([41000, 41001]));
    expect(plans).toEqual([
      { service: 'storefront', instance: 'storefront-1', replica: 1, port: 3000, url: 'http://127.0.0.1:3000' },
      { service: 'email-service', instance: 'email-service-1', replica: 1, port: 3004, url: 'http://127.0.0.1:3004' },
      { service: 'email-service', instance: 'email-service-2', replica: 2, port: 41000, url: 'http://127.0.0.1:41000' },
      { service: 'email-service', instance: 'email-service-3', replica: 3, port: 41001, url: 'http://127.0.0.1:41001' },
    ]);
  });

  it("with 'free' ports gives every process a free port", async () => {
    const plans = await planInstances(services, { storefront: 2 }, 'free', fakeProbe([41000, 41001, 41002]));
    expect(plans.map((plan) => [plan.instance, plan.port])).toEqual([
      ['storefront-1', 41000],
      ['storefront-2', 41001],
      ['email-service-1', 41002],
    ]);
  });

  it('never hands out a port twice, nor a service port to a replica', async () => {
    const probe = fakeProbe([3004, 41000, 41000, 41001]);
    const plans = await planInstances(services, { 'email-service': 3 }, 'default', probe);
    expect(plans.map((plan) => plan.port)).toEqual([3000, 3004, 41000, 41001]);
    expect(probe.asked).toBe(4);
  });

  it('stops with the service and port when a default port is taken', async () => {
    await expect(planInstances(services, {}, 'default', fakeProbe([], [3004]))).rejects.toThrow(
      new PortTakenError(
        'email-service needs port 3004, but another program listens there (another shop still running?): stop it, or start this shop on other ports with npm start -- --port 4000',
      ),
    );
  });

  it('moves every service by the same distance from a base port', async () => {
    const plans = await planInstances(services, { 'email-service': 2 }, 'default', fakeProbe([4004, 41000]), 4000);
    expect(plans.map((plan) => [plan.instance, plan.port])).toEqual([
      ['storefront-1', 4000],
      ['email-service-1', 4004],
      // 4004 looked free to the probe but is email-service's own port: never handed out twice.
      ['email-service-2', 41000],
    ]);
  });
});

describe('choosePostgresPort', () => {
  it('takes 5432 for npm start when it is free', async () => {
    expect(await choosePostgresPort('default', fakeProbe([]))).toEqual({ port: 5432, preferredTaken: false });
  });

  it('falls back to a free port when 5432 is taken, and says so', async () => {
    expect(await choosePostgresPort('default', fakeProbe([41000], [5432]))).toEqual({ port: 41000, preferredTaken: true });
  });

  it("takes a free port with 'free' ports", async () => {
    expect(await choosePostgresPort('free', fakeProbe([41000]))).toEqual({ port: 41000, preferredTaken: false });
  });
});

describe('isPortFree', () => {
  it('tells a listened-on port from a free one', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    try {
      expect(await isPortFree(port)).toBe(false);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(await isPortFree(port)).toBe(true);
  });
});
