import * as pulumi from '@pulumi/pulumi';
import * as authorization from '@pulumi/azure-native/authorization';
import * as keyvault from '@pulumi/azure-native/keyvault';
import * as random from '@pulumi/random';

/** Key Vault Secrets User, Azure's built-in role to read a secret's value: the same id in every subscription. */
export const KEY_VAULT_SECRETS_USER_ROLE_ID = '4633458b-17de-408a-b874-0445c86b69e6';

export interface ShopKeyVaultArgs {
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: pulumi.Input<string>;
  readonly subscriptionId: pulumi.Input<string>;
  readonly tenantId: pulumi.Input<string>;
  readonly prefix: string;
}

/** The Container Apps secret an environment variable's vault reference is held in: lower-case letters, digits and '-'. */
export function secretName(variable: string): string {
  return variable.toLowerCase().replace(/_/g, '-');
}

/** One secret of the vault: the versionless URI a Container App's secret reference reads the current value from. */
export interface VaultSecret {
  readonly name: string;
  readonly secret: keyvault.Secret;
  readonly uri: pulumi.Output<string>;
  readonly value: pulumi.Output<string>;
}

/**
 * The shop's Key Vault, authorized by Azure RBAC alone (no access policies), and the secrets it generates in it. A
 * reader is granted one secret at that secret's own scope, never the vault's, so an identity reads exactly the
 * secrets its service is configured with.
 */
export class ShopKeyVault extends pulumi.ComponentResource {
  readonly vault: keyvault.Vault;
  readonly resources: pulumi.CustomResource[] = [];
  private readonly secrets = new Map<string, VaultSecret>();

  constructor(
    private readonly name: string,
    private readonly args: ShopKeyVaultArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super('stitch:azure:ShopKeyVault', name, {}, opts);
    this.vault = this.track(
      new keyvault.Vault(
        `${name}-vault`,
        {
          resourceGroupName: args.resourceGroupName,
          location: args.location,
          // Vault names are global, 3 to 24 letters, digits and '-'.
          vaultName: `${args.prefix}-stitch-kv`,
          properties: {
            tenantId: args.tenantId,
            sku: { family: keyvault.SkuFamily.A, name: keyvault.SkuName.Standard },
            enableRbacAuthorization: true,
            // Soft delete is always on; a week is its shortest retention, so a destroyed shop's name frees soonest.
            softDeleteRetentionInDays: 7,
          },
        },
        { parent: this },
      ),
    );
    this.registerOutputs({});
  }

  /** A random secret of `length` letters and digits, generated once and kept in the vault as `name`. */
  generated(name: string, length = 48): VaultSecret {
    const existing = this.secrets.get(name);
    if (existing) return existing;
    const password = new random.RandomPassword(`${this.name}-${name}`, { length, special: false }, { parent: this });
    // Secret in the provider's schema already; said here so that no change of provider could let it out in plain text.
    const value = pulumi.secret(password.result);
    const secret = this.track(
      new keyvault.Secret(
        `${this.name}-${name}`,
        {
          resourceGroupName: this.args.resourceGroupName,
          vaultName: this.vault.name,
          secretName: name,
          properties: { value },
        },
        { parent: this },
      ),
    );
    const entry: VaultSecret = {
      name,
      secret,
      uri: pulumi.interpolate`${this.vault.properties.vaultUri}secrets/${name}`,
      value,
    };
    this.secrets.set(name, entry);
    return entry;
  }

  /** Lets `principalId` read `secret`'s value, and nothing else of the vault. */
  grantRead(grantee: string, principalId: pulumi.Input<string>, secret: VaultSecret): authorization.RoleAssignment {
    return this.track(
      new authorization.RoleAssignment(
        `${this.name}-${grantee}-reads-${secret.name}`,
        {
          principalId,
          principalType: authorization.PrincipalType.ServicePrincipal,
          roleDefinitionId: pulumi.interpolate`/subscriptions/${this.args.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${KEY_VAULT_SECRETS_USER_ROLE_ID}`,
          scope: secret.secret.id,
        },
        { parent: this },
      ),
    );
  }

  private track<T extends pulumi.CustomResource>(resource: T): T {
    this.resources.push(resource);
    return resource;
  }
}
