import * as path from 'node:path';
import { shopServices } from '@stitch/manifest';
import { REPOSITORY_ROOT } from './images';
import {
  MOCK_REGISTRY_TOKEN,
  isSecretInput,
  ofType,
  programSettled,
  recordResources,
  runProgram,
  unwrapSecrets,
  type Registered,
} from './pulumi-mocks';
import { REGISTRY_TOKEN_USER } from './registry-token';

describe("the shop's registry and images", () => {
  let registered: Registered[];

  beforeAll(async () => {
    registered = await recordResources();
    await programSettled(runProgram({ prefix: 'shop1', location: 'westeurope' }));
  });

  it('makes one Basic registry with no admin user', () => {
    const registries = ofType(registered, 'azure-native:containerregistry:Registry');
    expect(registries.map((registry) => registry.inputs)).toEqual([
      expect.objectContaining({ registryName: 'shop1stitch', sku: { name: 'Basic' }, adminUserEnabled: false }),
    ]);
  });

  it("builds every service's image from the repository's Dockerfile for linux/amd64, tagged with the stack", () => {
    const images = ofType(registered, 'docker-build:index:Image');
    expect(images.map((image) => (image.inputs['buildArgs'] as Record<string, string>)['SERVICE']).sort()).toEqual(
      shopServices.map((service) => service.name).sort(),
    );
    expect(REPOSITORY_ROOT).toBe(path.resolve(__dirname, '../../..'));
    for (const image of images) {
      const service = (image.inputs['buildArgs'] as Record<string, string>)['SERVICE'];
      expect(image.inputs).toMatchObject({
        context: { location: REPOSITORY_ROOT },
        dockerfile: { location: path.join(REPOSITORY_ROOT, 'Dockerfile') },
        platforms: ['linux/amd64'],
        tags: [`shop1stitch.azurecr.io/stitch/${service}:test`],
        push: true,
      });
    }
  });

  it('pushes as the deployer, with the registry token exchanged for its Azure sign-in, passed as a secret', () => {
    for (const image of ofType(registered, 'docker-build:index:Image')) {
      const registries = image.inputs['registries'];
      // A list holding a secret reaches the engine as a secret as a whole.
      expect(isSecretInput(registries)).toBe(true);
      expect(unwrapSecrets(registries)).toEqual([
        {
          address: 'shop1stitch.azurecr.io',
          username: REGISTRY_TOKEN_USER,
          password: MOCK_REGISTRY_TOKEN,
        },
      ]);
    }
  });
});
