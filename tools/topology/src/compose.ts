import { shopServices, urlVariable, type ServiceManifestEntry } from '@stitch/manifest';
import YAML, { isMap, isScalar, isSeq, type Document, type Pair, type Scalar, type YAMLMap } from 'yaml';

/** The command that writes docker-compose.yml; the staleness test names it. */
export const COMPOSE_GENERATE_COMMAND = 'npm run compose:generate';

export type ComposeProfile = 'azure' | 'aws';

/**
 * What the generator does not derive from the manifest: the brokers, their emulators and the database server, with
 * the comments that explain them. The shop's services are added to it.
 */
const template = `# Generated from the service manifest (libs/manifest) by ${COMPOSE_GENERATE_COMMAND}: edit the generator
# (tools/topology/src/compose.ts), not this file; a unit test fails when the two differ.
#
# Servers for running Stitch against real brokers and databases instead of the embedded defaults, and the shop's
# services, each in containers of its own. The embedded default (npm start) needs none of it.
#
# Every shop service needs, from the environment or a .env file beside this one (git-ignored):
#   STITCH_SHOP_ID   the shop the topology is marked for, e.g. compose-azure or compose-aws
#   SESSION_SECRET   the storefront's session key, at least 32 characters (openssl rand -base64 48)
#   OPERATOR_TOKEN   the storefront's operator credential for the Dead letters panel (openssl rand -hex 24)
#
# Azure Service Bus emulator (see infra/azure/README.md):
#   ACCEPT_EULA=Y MSSQL_SA_PASSWORD='<a strong password>' docker compose --profile azure up -d servicebus-emulator   # the emulator alone; run the shop on the host
#   ACCEPT_EULA=Y MSSQL_SA_PASSWORD='<a strong password>' docker compose --profile azure up            # the emulator and the whole shop in containers
# ACCEPT_EULA=Y accepts the licence terms of the Service Bus emulator and of its SQL database
# (https://github.com/Azure/azure-service-bus-emulator-installer/blob/main/EMULATOR_EULA.txt).
#
# AWS (SQS + EventBridge) on the moto emulator (see libs/messaging/aws/README.md):
#   docker compose --profile aws up                                                                   # moto, the topology and the whole shop

name: stitch

services:
  # Installs the repository's packages for the containers' platform into a volume of their own, and generates the
  # Prisma clients, once; every shop service starts after it has finished.
  install:
    profiles: [azure, aws]
    image: node:24
    working_dir: /stitch
    volumes:
      - .:/stitch
      - node-modules:/stitch/node_modules
    command:
      - sh
      - -c
      - npm ci --no-audit --no-fund && npx nx run-many -t generate --outputStyle=static
    environment:
      NX_DAEMON: 'false'
      NX_NO_CLOUD: 'true'

  # Every data-owning service creates its own database on this server and migrates it at start.
  postgres:
    profiles: [azure, aws]
    image: postgres:18
    environment:
      POSTGRES_PASSWORD: postgres
    healthcheck:
      test: ['CMD', 'pg_isready', '-U', 'postgres']
      interval: 2s
      timeout: 5s
      retries: 30

  # The emulator creates its queues, topics, subscriptions and rules from Config.json at start, and has no
  # management API the JavaScript SDK can reach: the file is generated from the message catalogue
  # (npm run topology:azure -- --emulator-config infra/azure/emulator/Config.json) and a unit test keeps it current.
  # Every service is in the profile of its transport, so \`--profile aws\` starts none of the Service Bus emulator.
  servicebus-emulator:
    profiles: [azure]
    image: mcr.microsoft.com/azure-messaging/servicebus-emulator:latest
    volumes:
      - ./infra/azure/emulator/Config.json:/ServiceBus_Emulator/ConfigFiles/Config.json:ro
    ports:
      - '127.0.0.1:5672:5672' # AMQP: Endpoint=sb://localhost;...;UseDevelopmentEmulator=true;
      - '127.0.0.1:5300:5300' # health: http://localhost:5300/health
    environment:
      SQL_SERVER: servicebus-sql
      MSSQL_SA_PASSWORD: \${MSSQL_SA_PASSWORD:?set MSSQL_SA_PASSWORD to a strong password of your own for the emulator SQL database}
      ACCEPT_EULA: \${ACCEPT_EULA:-N}
    depends_on:
      - servicebus-sql

  # The emulator keeps its state in SQL Server. Azure SQL Edge is the documented companion image; the installer's
  # newer templates use mcr.microsoft.com/mssql/server instead: set SERVICEBUS_SQL_IMAGE to switch.
  servicebus-sql:
    profiles: [azure]
    image: \${SERVICEBUS_SQL_IMAGE:-mcr.microsoft.com/azure-sql-edge:latest}
    environment:
      ACCEPT_EULA: \${ACCEPT_EULA:-N}
      MSSQL_SA_PASSWORD: \${MSSQL_SA_PASSWORD:?set MSSQL_SA_PASSWORD to a strong password of your own for the emulator SQL database}

  # Waits until the emulator answers its health check, so the shop does not start against an emulator still
  # creating its entities.
  servicebus-ready:
    profiles: [azure]
    image: node:24
    command:
      - node
      - -e
      - |
        const deadline = Date.now() + 180_000;
        const check = async () => {
          try {
            if ((await fetch('http://servicebus-emulator:5300/health')).ok) return console.log('Service Bus emulator ready');
          } catch {}
          if (Date.now() > deadline) { console.error('Service Bus emulator not healthy after 180 s'); process.exit(1); }
          setTimeout(check, 2000);
        };
        check();
    depends_on:
      - servicebus-emulator

  # --- AWS: moto server for SQS + EventBridge, the topology on it, and the shop (docker compose --profile aws up) ---
  moto:
    image: motoserver/moto:5.2.5
    profiles: [aws]
    ports: ['127.0.0.1:5000:5000']

  # Creates the shop's queues, bus and rules on moto, tagged for STITCH_SHOP_ID, before any service checks them.
  aws-topology:
    profiles: [aws]
    image: node:24
    working_dir: /stitch
    volumes:
      - .:/stitch
      - node-modules:/stitch/node_modules
    command: [node, --require, '@swc-node/register', tools/topology/src/aws.ts, --apply]
    environment: {}
    depends_on:
      install:
        condition: service_completed_successfully
      moto:
        condition: service_started

volumes:
  # The containers' own node_modules, installed for Linux whatever the host is.
  node-modules:
`;

/** The emulator's public, well-known development connection string (not a secret). */
const EMULATOR_CONNECTION_STRING =
  'Endpoint=sb://servicebus-emulator;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;';

/** What a profile's services need to reach its broker, and what must have finished before they start. */
const transports: Record<
  ComposeProfile,
  { env: Record<string, string>; after: Record<string, { condition: string }>; insertAfter: string }
> = {
  azure: {
    env: { MESSAGING_TRANSPORT: 'azure', SERVICEBUS_CONNECTION_STRING: EMULATOR_CONNECTION_STRING },
    after: { 'servicebus-ready': { condition: 'service_completed_successfully' } },
    insertAfter: 'servicebus-ready',
  },
  aws: {
    // moto accepts any credentials: these are its documented dummies, not a secret.
    env: {
      MESSAGING_TRANSPORT: 'aws',
      AWS_ENDPOINT_URL: 'http://moto:5000',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    },
    after: { 'aws-topology': { condition: 'service_completed_successfully' } },
    insertAfter: 'aws-topology',
  },
};

const SERVER_URL = 'postgresql://postgres:postgres@postgres:5432/postgres';

const required = (variable: string, why: string) => `\${${variable}:?set ${variable}: ${why}}`;

const shopId = (profile: ComposeProfile) =>
  required('STITCH_SHOP_ID', `the id of the shop its services run as (3-63 of a-z, 0-9 and -), e.g. compose-${profile}`);

/** How each secret is asked for: the message compose prints when it is not set. */
const secretHelp: Readonly<Record<string, string>> = {
  SESSION_SECRET: 'the key that signs customer sessions, at least 32 characters (openssl rand -base64 48)',
  OPERATOR_TOKEN: 'the operator credential of the Dead letters panel, 16 characters or more (openssl rand -hex 24)',
};

/** The container of one service on one transport: its compose name is `<service>-<profile>`, reached as `<service>`. */
export function composeServiceName(name: string, profile: ComposeProfile): string {
  return `${name}-${profile}`;
}

function serviceDefinition(service: ServiceManifestEntry, profile: ComposeProfile): Record<string, unknown> {
  const transport = transports[profile];
  const environment: Record<string, string> = {
    ...transport.env,
    STITCH_SHOP_ID: shopId(profile),
    STITCH_DATA_DIR: `\${STITCH_DATA_DIR:-.data/${profile}}`,
    // Inside a container a service binds every interface, so the other containers and a published port reach it.
    HOST: '0.0.0.0',
    PORT: String(service.port),
    ...(service.database !== undefined ? { DATABASE_URL: SERVER_URL } : {}),
    ...Object.fromEntries(service.calls.map((called) => [urlVariable(called), `http://${called}:${portOf(called)}`])),
    ...Object.fromEntries(service.secrets.map((secret) => [secret, required(secret, secretHelp[secret] ?? 'a secret of this service')])),
  };
  const ports = service.publicHttp
    ? [
        service.replicas > 1
          ? `127.0.0.1:${service.port}-${service.port + service.replicas - 1}:${service.port}`
          : `127.0.0.1:${service.port}:${service.port}`,
      ]
    : undefined;
  return {
    profiles: [profile],
    image: 'node:24',
    working_dir: '/stitch',
    volumes: ['.:/stitch', 'node-modules:/stitch/node_modules'],
    // Each replica names itself after its container, so flow records and logs tell replicas apart.
    command: [
      'sh',
      '-c',
      `INSTANCE_ID=${service.name}-$$(hostname) exec node --require @swc-node/register apps/${service.name}/src/main.ts`,
    ],
    environment,
    networks: { default: { aliases: [service.name] } },
    ...(ports ? { ports } : {}),
    deploy: { replicas: service.replicas },
    depends_on: {
      install: { condition: 'service_completed_successfully' },
      ...transport.after,
      ...(service.database !== undefined ? { postgres: { condition: 'service_healthy' } } : {}),
    },
  };
}

function portOf(name: string): number {
  const entry = shopServices.find((service) => service.name === name);
  if (!entry) throw new Error(`compose: a service calls ${name}, which is not in the manifest`);
  return entry.port;
}

function servicesMap(doc: Document): YAMLMap<Scalar<string>, unknown> {
  const services = doc.get('services', true);
  if (!isMap<Scalar<string>, unknown>(services)) throw new Error('compose template: services is not a map');
  return services;
}

function insertAfter(services: YAMLMap<Scalar<string>, unknown>, key: string, pairs: Pair<Scalar<string>, unknown>[]): void {
  const index = services.items.findIndex((pair) => isScalar(pair.key) && pair.key.value === key);
  if (index < 0) throw new Error(`compose template: no service ${key}`);
  services.items.splice(index + 1, 0, ...pairs);
}

/** docker-compose.yml for these services: the template's servers, and each service in each transport's profile. */
export function renderCompose(services: readonly ServiceManifestEntry[] = shopServices): string {
  const doc = YAML.parseDocument(template);
  const map = servicesMap(doc);
  const aws = map.get('aws-topology', true);
  if (!isMap(aws)) throw new Error('compose template: no aws-topology');
  aws.set('environment', doc.createNode({ ...transports.aws.env, STITCH_SHOP_ID: shopId('aws') }));

  for (const profile of ['azure', 'aws'] as const) {
    const pairs = services.map((service, index) => {
      const pair = doc.createPair(composeServiceName(service.name, profile), serviceDefinition(service, profile)) as Pair<
        Scalar<string>,
        unknown
      >;
      const profiles = isMap(pair.value) ? pair.value.get('profiles', true) : undefined;
      if (isSeq(profiles)) profiles.flow = true;
      const intro =
        index === 0
          ? ` --- the shop on ${profile === 'azure' ? 'the Service Bus emulator' : 'moto'}: each service of the manifest in its own containers ---\n`
          : '';
      (pair.key as Scalar<string>).commentBefore = `${intro} ${service.name}: ${service.description}`;
      (pair.key as Scalar<string>).spaceBefore = true;
      return pair;
    });
    insertAfter(map, transports[profile].insertAfter, pairs);
  }
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}
