import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ShopStack, type ShopStackProps } from './shop-stack';

/** moto's account, and the region the end-to-end runs use. */
export const TEST_ENV = { account: '123456789012', region: 'us-east-1' } as const;

/** The shop's stack as tests see it: synthesized in-process, with asset bundling skipped (no Docker, no esbuild run). */
export function synthShop(props: Partial<ShopStackProps> = {}, options: { nag?: boolean } = {}): { stack: ShopStack; template: Template } {
  const app = new App({ context: { ...featureFlags(), 'aws:cdk:bundling-stacks': [], 'aws:cdk:disable-asset-staging': true } });
  const stack = new ShopStack(app, 'Stitch', { prefix: '', shopId: 'stitch', env: TEST_ENV, ...props });
  if (options.nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { stack, template: Template.fromStack(stack) };
}

/** The feature flags `cdk.json` gives the app, so tests synthesize what `cdk synth` does. */
function featureFlags(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(path.join(__dirname, '..', 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  return cdkJson.context;
}
