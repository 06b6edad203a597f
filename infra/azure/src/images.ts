import * as path from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import * as authorization from '@pulumi/azure-native/authorization';
import type * as containerregistry from '@pulumi/azure-native/containerregistry';
import * as dockerbuild from '@pulumi/docker-build';
import { exchangeRegistryToken, REGISTRY_TOKEN_USER } from './registry-token';

/** The repository's root: the build context, holding the one Dockerfile every service's image comes from. */
export const REPOSITORY_ROOT = path.resolve(__dirname, '../../..');

export interface ShopImagesArgs {
  readonly registry: containerregistry.Registry;
  readonly tenantId: pulumi.Input<string>;
  readonly services: readonly string[];
  /** The tag each image gets beside its digest; the apps run the digest, so a re-used tag never changes what runs. */
  readonly tag: string;
}

/**
 * Each service's image, built from the repository's Dockerfile for linux/amd64 (what Container Apps runs) by the local
 * Docker with buildx, and pushed to the shop's registry as the deployer.
 */
export class ShopImages extends pulumi.ComponentResource {
  readonly images = new Map<string, dockerbuild.Image>();

  constructor(name: string, args: ShopImagesArgs, opts?: pulumi.ComponentResourceOptions) {
    super('stitch:azure:ShopImages', name, {}, opts);
    const accessToken = authorization.getClientTokenOutput({}, { parent: this }).token;
    const password = pulumi.secret(
      pulumi
        .all([args.registry.loginServer, accessToken, args.tenantId])
        .apply(([loginServer, token, tenantId]) => exchangeRegistryToken(loginServer, token, { tenantId })),
    );
    for (const service of args.services) {
      this.images.set(
        service,
        new dockerbuild.Image(
          `${name}-${service}`,
          {
            context: { location: REPOSITORY_ROOT },
            dockerfile: { location: path.join(REPOSITORY_ROOT, 'Dockerfile') },
            platforms: [dockerbuild.Platform.Linux_amd64],
            buildArgs: { SERVICE: service },
            tags: [pulumi.interpolate`${args.registry.loginServer}/stitch/${service}:${args.tag}`],
            push: true,
            registries: [{ address: args.registry.loginServer, username: REGISTRY_TOKEN_USER, password }],
          },
          { parent: this },
        ),
      );
    }
    this.registerOutputs({});
  }

  /** The image a service runs, by digest. */
  refOf(service: string): pulumi.Output<string> {
    const image = this.images.get(service);
    if (!image) throw new Error(`ShopImages: no image for service ${service}`);
    return image.ref;
  }
}
