import * as path from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import * as app from '@pulumi/azure-native/app';
import * as managedidentity from '@pulumi/azure-native/managedidentity';
import * as command from '@pulumi/command';
import type * as inputs from '@pulumi/azure-native/types/input';
import { WORKLOAD_PROFILE } from './environment';
import { DATABASE_ADMIN_USER, DATABASE_PORT, type ShopDatabase } from './database';
import type { ShopImages } from './images';
import { secretName, type ShopKeyVault } from './key-vault';
import type { ShopRegistry } from './registry';

export const DATABASE_ROLES_JOB = 'database-roles';
/** Where the roles runner of `@stitch/persistence` lands in every data-owning service's image. */
export const DATABASE_ROLES_MAIN = '/app/libs/persistence/src/postgres/roles/main.js';
const RUN_JOB_SCRIPT = path.resolve(__dirname, '../scripts/run-job.sh');

export interface DatabaseRolesJobArgs {
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: pulumi.Input<string>;
  readonly prefix: string;
  readonly environmentId: pulumi.Input<string>;
  readonly database: ShopDatabase;
  readonly vault: ShopKeyVault;
  readonly registry: ShopRegistry;
  readonly images: ShopImages;
}

/**
 * Gives each data-owning service its own login role and database on the private server. Nothing outside the network
 * reaches the server, so the plan runs inside it: a Container Apps job in the shop's environment, in a service's image,
 * as an identity that alone may read the administrator's password. Every deploy whose roles or image changed runs it
 * once and waits for it, so the apps start after their roles exist, and a failure stops the deploy.
 */
export class DatabaseRolesJob extends pulumi.ComponentResource {
  readonly job: app.Job;
  readonly run: command.local.Command;
  readonly identity: managedidentity.UserAssignedIdentity;
  readonly resources: pulumi.CustomResource[] = [];

  constructor(name: string, args: DatabaseRolesJobArgs, opts?: pulumi.ComponentResourceOptions) {
    super('stitch:azure:DatabaseRolesJob', name, {}, opts);
    const roles = [...args.database.services.values()];
    const [firstRole] = roles;
    if (!firstRole) throw new Error('DatabaseRolesJob: no service owns a database');
    this.identity = new managedidentity.UserAssignedIdentity(
      `${name}-identity`,
      { resourceGroupName: args.resourceGroupName, location: args.location, resourceName: `${args.prefix}-${DATABASE_ROLES_JOB}` },
      { parent: this },
    );
    this.resources.push(this.identity);
    const access: pulumi.Resource[] = [args.registry.grantPull(DATABASE_ROLES_JOB, this.identity.principalId)];
    const secrets: inputs.app.SecretArgs[] = [];
    const env: inputs.app.EnvironmentVarArgs[] = [
      { name: 'DATABASE_HOST', value: args.database.host },
      { name: 'DATABASE_PORT', value: String(DATABASE_PORT) },
      { name: 'DATABASE_ADMIN_USER', value: DATABASE_ADMIN_USER },
      { name: 'DATABASE_TLS', value: 'verify-full' },
    ];
    const fromVault = (variable: string, secret: ShopDatabase['adminPassword']) => {
      const name = secretName(variable);
      access.push(args.vault.grantRead(DATABASE_ROLES_JOB, this.identity.principalId, secret));
      secrets.push({ name, keyVaultUrl: secret.uri, identity: this.identity.id });
      env.push({ name: variable, secretRef: name });
    };
    fromVault('DATABASE_ADMIN_PASSWORD', args.database.adminPassword);
    const plan = roles.map((role) => {
      const passwordVariable = `DATABASE_PASSWORD_${role.username.toUpperCase()}`;
      fromVault(passwordVariable, role.password);
      return { service: role.service, database: role.database, username: role.username, passwordVariable };
    });
    env.push({ name: 'DATABASE_ROLES', value: JSON.stringify(plan) });

    const image = args.images.refOf(firstRole.service);
    this.job = new app.Job(
      `${name}-job`,
      {
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        jobName: DATABASE_ROLES_JOB,
        environmentId: args.environmentId,
        workloadProfileName: WORKLOAD_PROFILE,
        identity: { type: app.ManagedServiceIdentityType.UserAssigned, userAssignedIdentities: [this.identity.id] },
        configuration: {
          triggerType: app.TriggerType.Manual,
          manualTriggerConfig: { parallelism: 1, replicaCompletionCount: 1 },
          replicaTimeout: 300,
          replicaRetryLimit: 2,
          registries: [{ server: args.registry.registry.loginServer, identity: this.identity.id }],
          secrets,
        },
        template: {
          containers: [{ name: DATABASE_ROLES_JOB, image, command: ['node', DATABASE_ROLES_MAIN], env }],
        },
      },
      { parent: this, dependsOn: [...access, ...args.database.resources] },
    );
    this.resources.push(this.job);
    this.run = new command.local.Command(
      `${name}-run`,
      {
        create: `bash ${JSON.stringify(RUN_JOB_SCRIPT)}`,
        environment: { JOB: this.job.name, RESOURCE_GROUP: pulumi.output(args.resourceGroupName) },
        // A new role, database or image: run again. Passwords are not among them: the job reads them from the vault.
        triggers: [JSON.stringify(plan), image],
      },
      { parent: this },
    );
    this.registerOutputs({});
  }
}
