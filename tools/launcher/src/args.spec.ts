import { MAX_REPLICAS, parseLauncherArgs, UsageError } from './args';

const services = ['storefront', 'order-service', 'email-service'];

describe('parseLauncherArgs', () => {
  it('defaults to one replica each, .data, not fresh', () => {
    expect(parseLauncherArgs([], services)).toEqual({ scale: {}, dataDir: '.data', port: 3000, fresh: false, help: false });
  });

  it('takes repeated --scale, --data-dir and --fresh', () => {
    const args = parseLauncherArgs(
      ['--scale', 'email-service=3', '--scale=order-service=2', '--data-dir', '/tmp/shop', '--fresh'],
      services,
    );
    expect(args).toEqual({ scale: { 'email-service': 3, 'order-service': 2 }, dataDir: '/tmp/shop', port: 3000, fresh: true, help: false });
  });

  it('gives a shop on other ports a data folder of its own, unless one is named', () => {
    expect(parseLauncherArgs(['--port', '4000'], services)).toMatchObject({ port: 4000, dataDir: '.data-4000' });
    expect(parseLauncherArgs(['--port=4000', '--data-dir', '/tmp/other'], services)).toMatchObject({ port: 4000, dataDir: '/tmp/other' });
    expect(parseLauncherArgs(['--port', '3000'], services)).toMatchObject({ port: 3000, dataDir: '.data' });
  });

  it('lets a later --scale of the same service win', () => {
    expect(parseLauncherArgs(['--scale', 'email-service=3', '--scale', 'email-service=1'], services).scale).toEqual({ 'email-service': 1 });
  });

  it.each([
    [['--scale', 'mail=2'], '--scale mail=2: unknown service "mail" (services: storefront, order-service, email-service)'],
    [['--scale', 'email-service'], '--scale email-service: expected <service>=N, e.g. --scale email-service=3'],
    [['--scale', 'email-service=0'], `--scale email-service=0: N must be a whole number from 1 to ${MAX_REPLICAS}`],
    [['--scale', 'email-service=two'], `--scale email-service=two: N must be a whole number from 1 to ${MAX_REPLICAS}`],
    [['--scale', 'email-service=1.5'], `--scale email-service=1.5: N must be a whole number from 1 to ${MAX_REPLICAS}`],
    [
      ['--scale', `email-service=${MAX_REPLICAS + 1}`],
      `--scale email-service=${MAX_REPLICAS + 1}: N must be a whole number from 1 to ${MAX_REPLICAS}`,
    ],
    [['--data-dir', ' '], '--data-dir: give a folder'],
    [['--port', '80'], '--port 80: give a port from 1024 to 65526 (the services take the ports after it)'],
    [['--port', '65530'], '--port 65530: give a port from 1024 to 65526 (the services take the ports after it)'],
    [['--port', 'http'], '--port http: give a port from 1024 to 65526 (the services take the ports after it)'],
  ])('refuses %j with one line naming what is wrong', (argv, message) => {
    expect(() => parseLauncherArgs(argv, services)).toThrow(new UsageError(message));
  });

  it.each([[['--colour']], [['--scale']], [['stray']]])('refuses unknown options, missing values and positionals (%j)', (argv) => {
    let error: unknown;
    try {
      parseLauncherArgs(argv, services);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).not.toContain('\n');
  });
});
