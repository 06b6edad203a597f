import * as path from 'node:path';
import { IgnoreMode } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import { Construct } from 'constructs';

/** The repository root: the build context of the project's Dockerfile. */
export const REPOSITORY_ROOT = path.resolve(__dirname, '../../..');

/**
 * One image per service from the repository's Dockerfile (`--build-arg SERVICE=<name>`), built for linux/amd64 by
 * `cdk deploy` with the local container engine and pushed to the CDK bootstrap's ECR repository.
 */
export class ShopImages extends Construct {
  private readonly images = new Map<string, ecs.ContainerImage>();

  constructor(scope: Construct, id: string, props: { readonly services: readonly string[] }) {
    super(scope, id);
    for (const service of props.services) {
      this.images.set(
        service,
        ecs.ContainerImage.fromAsset(REPOSITORY_ROOT, {
          file: 'Dockerfile',
          buildArgs: { SERVICE: service },
          platform: Platform.LINUX_AMD64,
          ignoreMode: IgnoreMode.DOCKER,
          // Only the image's sources change its hash; the stack's own output and this folder's tools do not.
          exclude: ['infra/aws/cdk.out', 'dist', '.tools', '.nx'],
        }),
      );
    }
  }

  imageOf(service: string): ecs.ContainerImage {
    const image = this.images.get(service);
    if (!image) throw new Error(`ShopImages: no image for "${service}"`);
    return image;
  }
}
