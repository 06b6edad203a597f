import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Topology } from '@stitch/messaging-catalogue';
import { checkEmulatorConfig, emulatorConfig, emulatorConfigJson, serviceBusEntities } from '@stitch/messaging-azure-service-bus';
import type { StartedNetwork, StartedTestContainer } from 'testcontainers';

/**
 * The Service Bus emulator in containers, as in infra/azure/README.md: SQL Edge (or SQL Server) and the emulator on
 * a network of their own, the emulator reading a Config.json generated from the topology. Running it accepts the
 * licence terms of both images (ACCEPT_EULA=Y), as the README's docker compose commands do.
 */
const EMULATOR_IMAGE = 'mcr.microsoft.com/azure-messaging/servicebus-emulator:latest';
/** The emulator's companion database; SERVICEBUS_SQL_IMAGE switches to mcr.microsoft.com/mssql/server, as in docker-compose.yml. */
const SQL_IMAGE = process.env['SERVICEBUS_SQL_IMAGE'] ?? 'mcr.microsoft.com/azure-sql-edge:latest';
const SQL_ALIAS = 'servicebus-sql';
const AMQP_PORT = 5672;
const HEALTH_PORT = 5300;
/** Pulling both images on a cold machine and the emulator's first start take minutes. */
const STARTUP_TIMEOUT_MS = 300_000;

export interface RunningEmulator {
  /** The emulator's public development key on the mapped port: not a secret. */
  readonly connectionString: string;
  stop(): Promise<void>;
}

/**
 * Why no container can be started here, or undefined when a container runtime answers. Asked of testcontainers in a
 * child process because test files are declared synchronously and its runtime discovery is asynchronous; without a
 * runtime it fails in well under a second.
 */
export function containerRuntimeProblem(): string | undefined {
  const probe = `require(${JSON.stringify(require.resolve('testcontainers'))}).getContainerRuntimeClient().then(
    () => process.exit(0),
    (error) => { process.stdout.write(String(error && error.message)); process.exit(1); })`;
  try {
    execFileSync(process.execPath, ['-e', probe], { stdio: ['ignore', 'pipe', 'ignore'], timeout: 60_000 });
    return undefined;
  } catch (error) {
    const output = (error as { stdout?: Buffer }).stdout?.toString().trim();
    return output || (error instanceof Error ? error.message : String(error));
  }
}

/** Starts the emulator with the entities of `topology`; waits until it reports them created and answers its health check. */
export async function startServiceBusEmulator(topology: Topology): Promise<RunningEmulator> {
  const config = emulatorConfig(serviceBusEntities(topology));
  checkEmulatorConfig(config);
  const { GenericContainer, Network, Wait } = await import('testcontainers');
  // Random per run; SQL Server's policy wants upper and lower case, digits and symbols.
  const password = `Sb-${randomBytes(18).toString('base64url')}-9a`;
  const started: (StartedTestContainer | StartedNetwork)[] = [];
  const stop = async () => {
    for (const resource of started.reverse()) await resource.stop().catch(() => undefined);
  };
  try {
    const network = await new Network().start();
    started.push(network);
    started.push(
      await new GenericContainer(SQL_IMAGE)
        .withNetwork(network)
        .withNetworkAliases(SQL_ALIAS)
        .withEnvironment({ ACCEPT_EULA: 'Y', MSSQL_SA_PASSWORD: password })
        .withWaitStrategy(Wait.forLogMessage(/SQL Server is now ready for client connections/))
        .withStartupTimeout(STARTUP_TIMEOUT_MS)
        .start(),
    );
    const emulator = await new GenericContainer(EMULATOR_IMAGE)
      .withNetwork(network)
      .withEnvironment({ SQL_SERVER: SQL_ALIAS, MSSQL_SA_PASSWORD: password, ACCEPT_EULA: 'Y' })
      .withCopyContentToContainer([{ content: emulatorConfigJson(config), target: '/ServiceBus_Emulator/ConfigFiles/Config.json' }])
      .withExposedPorts(AMQP_PORT, HEALTH_PORT)
      .withWaitStrategy(
        Wait.forAll([Wait.forLogMessage('Emulator Service is Successfully Up!'), Wait.forHttp('/health', HEALTH_PORT).forStatusCode(200)]),
      )
      .withStartupTimeout(STARTUP_TIMEOUT_MS)
      .start();
    started.push(emulator);
    const endpoint = `${emulator.getHost()}:${emulator.getMappedPort(AMQP_PORT)}`;
    return {
      connectionString: `Endpoint=sb://${endpoint};SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;`,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
