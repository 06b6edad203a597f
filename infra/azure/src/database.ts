import * as pulumi from '@pulumi/pulumi';
import * as dbforpostgresql from '@pulumi/azure-native/dbforpostgresql';
import type { ServiceManifestEntry } from '@stitch/manifest';
import { databaseRoleName } from '@stitch/persistence/database-roles';
import type { ShopKeyVault, VaultSecret } from './key-vault';
import type { ShopNetwork } from './network';

export const DATABASE_PORT = 5432;
export const DATABASE_ADMIN_USER = 'stitchadmin';
export const DEFAULT_DATABASE_SKU = 'Standard_B1ms';

/** A data-owning service's login role and database on the server, and the vault secret holding its password. */
export interface ServiceDatabase {
  readonly service: string;
  readonly database: string;
  readonly username: string;
  readonly password: VaultSecret;
}

export interface ShopDatabaseArgs {
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: pulumi.Input<string>;
  readonly prefix: string;
  readonly services: readonly ServiceManifestEntry[];
  readonly network: ShopNetwork;
  readonly vault: ShopKeyVault;
  /** A Burstable size (`Standard_B1ms`, `Standard_B2s`...); General Purpose sizes need their tier set too. */
  readonly sku?: string;
}

/**
 * The shop's PostgreSQL: a Flexible Server injected into the network's database subnet with no public endpoint, that
 * accepts TLS connections only. The administrator's password and each service's are generated into the vault; the
 * services' roles and databases are made inside the network by the database-roles job.
 */
export class ShopDatabase extends pulumi.ComponentResource {
  readonly server: dbforpostgresql.Server;
  readonly host: pulumi.Output<string>;
  readonly adminPassword: VaultSecret;
  readonly services = new Map<string, ServiceDatabase>();
  readonly resources: pulumi.CustomResource[];

  constructor(name: string, args: ShopDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super('stitch:azure:ShopDatabase', name, {}, opts);
    this.adminPassword = args.vault.generated('database-admin-password');
    this.server = new dbforpostgresql.Server(
      `${name}-server`,
      {
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        serverName: `${args.prefix}-stitch`,
        version: dbforpostgresql.PostgresMajorVersion.PostgresMajorVersion_18,
        sku: { name: args.sku ?? DEFAULT_DATABASE_SKU, tier: dbforpostgresql.SkuTier.Burstable },
        storage: { storageSizeGB: 32 },
        administratorLogin: DATABASE_ADMIN_USER,
        administratorLoginPassword: this.adminPassword.value,
        authConfig: {
          passwordAuth: dbforpostgresql.PasswordBasedAuth.Enabled,
          activeDirectoryAuth: dbforpostgresql.MicrosoftEntraAuth.Disabled,
        },
        network: {
          delegatedSubnetResourceId: args.network.databaseSubnet.id,
          privateDnsZoneArmResourceId: args.network.databaseDnsZone.id,
          publicNetworkAccess: dbforpostgresql.ServerPublicNetworkAccessState.Disabled,
        },
        backup: { backupRetentionDays: 7, geoRedundantBackup: dbforpostgresql.GeographicallyRedundantBackup.Disabled },
        highAvailability: { mode: dbforpostgresql.PostgreSqlFlexibleServerHighAvailabilityMode.Disabled },
      },
      // The server resolves through the zone only once the network is linked to it.
      { parent: this, dependsOn: [args.network.databaseDnsLink] },
    );
    // On by default; set here so that a change made by hand shows up as drift and is put back.
    const tlsOnly = new dbforpostgresql.Configuration(
      `${name}-require-secure-transport`,
      {
        resourceGroupName: args.resourceGroupName,
        serverName: this.server.name,
        configurationName: 'require_secure_transport',
        value: 'on',
        source: 'user-override',
      },
      { parent: this },
    );
    this.host = this.server.fullyQualifiedDomainName;
    for (const service of args.services) {
      if (!service.database) continue;
      this.services.set(service.name, {
        service: service.name,
        database: service.database,
        username: databaseRoleName(service.name),
        password: args.vault.generated(`${service.name}-database-password`),
      });
    }
    this.resources = [this.server, tlsOnly];
    this.registerOutputs({ host: this.host });
  }

  /** The URL a service connects with: its own role and database, TLS verified against the host name; no password. */
  urlOf(service: string): pulumi.Output<string> {
    const owned = this.services.get(service);
    if (!owned) throw new Error(`ShopDatabase: ${service} owns no database`);
    return pulumi.interpolate`postgresql://${owned.username}@${this.host}:${DATABASE_PORT}/${owned.database}?sslmode=verify-full`;
  }
}
