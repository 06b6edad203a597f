import { Services, shopServices, urlVariable, type ServiceManifestEntry } from '@stitch/manifest';
import YAML, { isMap, isScalar, isSeq, type Document, type Pair, type Scalar, type YAMLMap } from 'yaml';

/** The command that writes docker-compose.yml; the staleness test names it. */
export const COMPOSE_GENERATE_COMMAND = 'npm run compose:generate';

/** Each profile runs the whole shop on one transport; a profile is used alone. */
export const composeProfiles = ['local', 'azure', 'aws'] as const;
export type ComposeProfile = (typeof composeProfiles)[number];

/**
 * The images the shop does not build, each pinned and overridable by its variable: a machine without a registry, or
 * with a mirror, runs the same file with its own images.
 */
export const thirdPartyImages = {
  POSTGRES_IMAGE: 'postgres:18.1-bookworm',
  // The Service Bus emulator's SQL Server: Azure SQL Edge, its first companion, is retired.
  MSSQL_IMAGE: 'mcr.microsoft.com/mssql/server:2022-CU26-ubuntu-22.04',
  SERVICEBUS_EMULATOR_IMAGE: 'mcr.microsoft.com/azure-messaging/servicebus-emulator:2.0.1',
  MOTO_IMAGE: 'motoserver/moto:5.2.5',
} as const;

const image = (variable: keyof typeof thirdPartyImages) => `\${${variable}:-${thirdPartyImages[variable]}}`;

/** Where each service keeps its local state (the embedded bus file, mails) in its container: a named volume. */
export const CONTAINER_DATA_DIR = '/var/lib/stitch';

/** The default image of one of the shop's services: built from the repository's Dockerfile, never pulled. */
export function shopImage(name: string): string {
  return `\${STITCH_IMAGE_PREFIX:-localhost/stitch}/${name}:\${STITCH_IMAGE_TAG:-local}`;
}

function shopBuild(name: string): Record<string, unknown> {
  return { context: '.', dockerfile: 'Dockerfile', args: { SERVICE: name, BASE: '${NODE_BASE_IMAGE:-node:24-bookworm-slim}' } };
}

/**
 * What the generator does not derive from the manifest: the database server, the brokers' emulators and their
 * comments. The shop's services are added to it.
 */
const template = `# Generated from the service manifest (libs/manifest) by ${COMPOSE_GENERATE_COMMAND}: edit the generator
# (tools/topology/src/compose.ts), not this file; a unit test fails when the two differ.
#
# The whole shop in containers, one profile per transport; use one profile at a time. The embedded default (npm
# start) needs none of it. Every shop service is built from the repository's Dockerfile (docker compose build, or on
# the first up) and runs node from its image: nothing is installed at start and nothing is written into the checkout.
#   docker compose --profile local up -d   # the embedded transport: a bus file on a shared volume, and PostgreSQL
#   docker compose --profile azure up -d   # the Service Bus emulator (ACCEPT_EULA=Y and MSSQL_SA_PASSWORD, below)
#   docker compose --profile aws up -d     # moto for SQS + EventBridge, once its topology is applied (below)
# The storefront answers on http://127.0.0.1:3000 (published on the loopback interface only); npm run smoke -- --url
# http://127.0.0.1:3000 signs up and checks out once through it.
#
# Secrets and the shop id are never in this file, and none is required by it, so each profile works without the
# others' settings. Each is passed to the containers that need it from the environment or from a .env file beside
# this one (git-ignored; the same file npm start reads), and a service started without one stops at once with its
# own one-line error (the services run with NODE_ENV=production, where the storefront refuses to start without its
# two secrets):
#   STITCH_SHOP_ID     every service: the shop its topology is marked for, e.g. compose-local, compose-aws
#   SESSION_SECRET     the storefront's session key, at least 32 characters (openssl rand -base64 48)
#   OPERATOR_TOKEN     the storefront's operator credential for the Dead letters panel (openssl rand -hex 24)
#   MSSQL_SA_PASSWORD  azure only: a strong password of your own for the emulator's SQL Server
#   ACCEPT_EULA=Y      azure only: accepts the licence terms of the Service Bus emulator and of SQL Server
#                      (https://github.com/Azure/azure-service-bus-emulator-installer/blob/main/EMULATOR_EULA.txt)
#
# AWS: the services check their queues, bus and rules at start and create nothing, and their images hold only the
# services, so the topology is applied from the host against moto's published port before the shop starts:
#   docker compose --profile aws up -d --wait moto
#   AWS_ENDPOINT_URL=http://127.0.0.1:5000 AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test \\
#     npm run topology:aws -- --apply      # with STITCH_SHOP_ID set as for the services
#   docker compose --profile aws up -d
#
# Images: the third-party ones are pinned and each can be replaced through its variable (POSTGRES_IMAGE,
# MSSQL_IMAGE, SERVICEBUS_EMULATOR_IMAGE, MOTO_IMAGE), e.g. with a mirror's; the shop's are tagged
# \${STITCH_IMAGE_PREFIX:-localhost/stitch}/<service>:\${STITCH_IMAGE_TAG:-local} and built on
# \${NODE_BASE_IMAGE:-node:24-bookworm-slim}. Data lives in named volumes: docker compose down -v starts afresh
# (do so before switching profiles, which share the PostgreSQL server's databases).

name: stitch

services:
  # Every data-owning service creates its own database on this server and migrates it at start. It is reachable only
  # on the project's network, so its password guards nothing more than that network does.
  postgres:
    profiles: [local, azure, aws]
    image: ${image('POSTGRES_IMAGE')}
    environment:
      POSTGRES_PASSWORD: \${POSTGRES_PASSWORD:-postgres}
    volumes:
      - postgres-data:/var/lib/postgresql
    healthcheck:
      test: ['CMD', 'pg_isready', '-U', 'postgres', '-h', '127.0.0.1']
      interval: 2s
      timeout: 5s
      retries: 30

  # The emulator keeps its state in SQL Server. Without MSSQL_SA_PASSWORD (or ACCEPT_EULA=Y) it stops at start
  # saying so.
  servicebus-sql:
    profiles: [azure]
    image: ${image('MSSQL_IMAGE')}
    environment:
      ACCEPT_EULA: \${ACCEPT_EULA:-N}
      MSSQL_SA_PASSWORD:
    healthcheck:
      test: ['CMD-SHELL', '/opt/mssql-tools18/bin/sqlcmd -C -S 127.0.0.1 -U sa -P "$$MSSQL_SA_PASSWORD" -Q "SELECT 1" -b -o /dev/null']
      interval: 5s
      timeout: 10s
      retries: 30
      start_period: 20s

  # The emulator creates its queues, topics, subscriptions and rules from Config.json at start, and has no
  # management API the JavaScript SDK can reach: the file is generated from the message catalogue
  # (npm run topology:azure -- --emulator-config infra/azure/emulator/Config.json) and a unit test keeps it current.
  # It is the one file mounted from the checkout, read-only. Which tools the emulator's image holds is not
  # documented, so no check runs inside it: servicebus-ready (below) asks its health endpoint instead.
  servicebus-emulator:
    profiles: [azure]
    image: ${image('SERVICEBUS_EMULATOR_IMAGE')}
    volumes:
      - ./infra/azure/emulator/Config.json:/ServiceBus_Emulator/ConfigFiles/Config.json:ro
    ports:
      - '127.0.0.1:5672:5672' # AMQP: Endpoint=sb://localhost;...;UseDevelopmentEmulator=true;
      - '127.0.0.1:5300:5300' # health: http://localhost:5300/health
    environment:
      SQL_SERVER: servicebus-sql
      MSSQL_SA_PASSWORD:
      ACCEPT_EULA: \${ACCEPT_EULA:-N}
    depends_on:
      servicebus-sql:
        condition: service_healthy

  # --- AWS: moto for SQS + EventBridge; its topology is applied from the host (see the top of this file) ---
  moto:
    profiles: [aws]
    image: ${image('MOTO_IMAGE')}
    ports: ['127.0.0.1:5000:5000']
    healthcheck:
      # The image is Python's: its standard library checks the port, no curl needed.
      test: ['CMD', 'python3', '-c', "import urllib.request; urllib.request.urlopen('http://127.0.0.1:5000/moto-api/', timeout=3)"]
      interval: 2s
      timeout: 5s
      retries: 30

volumes:
  postgres-data:
`;

/** The emulator's public, well-known development connection string (not a secret). */
const EMULATOR_CONNECTION_STRING =
  'Endpoint=sb://servicebus-emulator;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;';

type Condition = { condition: 'service_healthy' | 'service_completed_successfully' };

/** What a profile's services need to reach its broker, what must be ready before they start, and where they go. */
const transports: Record<ComposeProfile, { env: Record<string, string>; after: Record<string, Condition>; insertAfter: string }> = {
  // The embedded transport's bus is a file in the data folder (<STITCH_DATA_DIR>/bus/bus.db): every service of the
  // profile mounts the same volume there, so they share one bus.
  local: { env: { MESSAGING_TRANSPORT: 'local' }, after: {}, insertAfter: 'postgres' },
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
    after: { moto: { condition: 'service_healthy' } },
    insertAfter: 'moto',
  },
};

const SERVER_URL = 'postgresql://postgres:${POSTGRES_PASSWORD:-postgres}@postgres:5432/postgres';

/** The container of one service on one transport: its compose name is `<service>-<profile>`, reached as `<service>`. */
export function composeServiceName(name: string, profile: ComposeProfile): string {
  return `${name}-${profile}`;
}

/** A service's own liveness check, run inside its container with the node of its image. */
export function liveCheck(port: number): string[] {
  return ['CMD', 'node', '-e', `fetch('http://127.0.0.1:${port}/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`];
}

function serviceDefinition(service: ServiceManifestEntry, profile: ComposeProfile): Record<string, unknown> {
  const transport = transports[profile];
  const environment: Record<string, string | null> = {
    ...transport.env,
    // Production rules: the storefront refuses to start without its secrets instead of making throwaway ones.
    NODE_ENV: 'production',
    // Empty: passed from the environment or .env when set there, absent otherwise (the service then says so).
    STITCH_SHOP_ID: null,
    STITCH_DATA_DIR: CONTAINER_DATA_DIR,
    // Inside a container a service binds every interface, so the other containers and a published port reach it.
    HOST: '0.0.0.0',
    PORT: String(service.port),
    ...(service.database !== undefined ? { DATABASE_URL: SERVER_URL } : {}),
    ...Object.fromEntries(service.calls.map((called) => [urlVariable(called), `http://${called}:${portOf(called)}`])),
    ...Object.fromEntries(service.secrets.map((secret) => [secret, null])),
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
    build: shopBuild(service.name),
    image: shopImage(service.name),
    environment,
    volumes: [`${dataVolume(profile)}:${CONTAINER_DATA_DIR}`],
    networks: { default: { aliases: [service.name] } },
    ...(ports ? { ports } : {}),
    deploy: { replicas: service.replicas },
    healthcheck: { test: liveCheck(service.port), interval: '5s', timeout: '5s', retries: 5, start_period: '120s' },
    depends_on: {
      ...transport.after,
      ...(service.database !== undefined ? { postgres: { condition: 'service_healthy' } } : {}),
      ...Object.fromEntries(service.calls.map((called) => [composeServiceName(called, profile), { condition: 'service_healthy' }])),
    },
  };
}

/** The volume the services of one profile share as their data folder. */
export function dataVolume(profile: ComposeProfile): string {
  return `data-${profile}`;
}

/**
 * A one-shot that waits until the emulator answers its health endpoint, so no service starts against an emulator
 * still creating its entities. It runs on the storefront's image, which has node and is built anyway.
 */
function serviceBusReady(): Record<string, unknown> {
  const storefront = Services.storefront;
  return {
    profiles: ['azure'],
    build: shopBuild(storefront),
    image: shopImage(storefront),
    entrypoint: [
      'node',
      '-e',
      [
        'const deadline = Date.now() + 180_000;',
        'const check = async () => {',
        '  try {',
        "    if ((await fetch('http://servicebus-emulator:5300/health')).ok) return console.log('Service Bus emulator ready');",
        '  } catch {}',
        "  if (Date.now() > deadline) { console.error('Service Bus emulator not healthy after 180 s'); process.exit(1); }",
        '  setTimeout(check, 2000);',
        '};',
        'check();',
        '',
      ].join('\n'),
    ],
    depends_on: { 'servicebus-emulator': { condition: 'service_started' } },
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

function pairOf(doc: Document, name: string, definition: Record<string, unknown>, comment: string): Pair<Scalar<string>, unknown> {
  const pair = doc.createPair(name, definition) as Pair<Scalar<string>, unknown>;
  const profiles = isMap(pair.value) ? pair.value.get('profiles', true) : undefined;
  if (isSeq(profiles)) profiles.flow = true;
  (pair.key as Scalar<string>).commentBefore = comment;
  (pair.key as Scalar<string>).spaceBefore = true;
  return pair;
}

const profileIntro: Record<ComposeProfile, string> = {
  local: 'the embedded transport (a bus file on the volume data-local)',
  azure: 'the Service Bus emulator',
  aws: 'moto',
};

/** docker-compose.yml for these services: the template's servers, and each service in each transport's profile. */
export function renderCompose(services: readonly ServiceManifestEntry[] = shopServices): string {
  const doc = YAML.parseDocument(template);
  const map = servicesMap(doc);
  insertAfter(map, 'servicebus-emulator', [
    pairOf(doc, 'servicebus-ready', serviceBusReady(), ' Waits for the emulator once; the shop starts when it has finished.'),
  ]);

  for (const profile of composeProfiles) {
    const pairs = services.map((service, index) => {
      const intro =
        index === 0 ? ` --- the shop on ${profileIntro[profile]}: each service of the manifest in its own containers ---\n` : '';
      return pairOf(
        doc,
        composeServiceName(service.name, profile),
        serviceDefinition(service, profile),
        `${intro} ${service.name}: ${service.description}`,
      );
    });
    insertAfter(map, transports[profile].insertAfter, pairs);
  }

  const volumes = doc.get('volumes', true);
  if (!isMap(volumes)) throw new Error('compose template: volumes is not a map');
  for (const profile of composeProfiles) volumes.set(dataVolume(profile), null);
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false, nullStr: '' });
}
