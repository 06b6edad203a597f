import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ShopStack, type ShopStackProps } from './shop-stack';

/** moto's account, and the region the end-to-end runs use. */
export const TEST_ENV = { account: '123456789012', region: 'us-east-1' } as const;

/** Synthesizes the whole app to a temporary cloud assembly, with cdk-nag when asked: throws on a nag finding. */
export function synthStitchApp(options: { nag?: boolean } = {}): void {
  const app = new App({ context: { ...featureFlags(), 'aws:cdk:bundling-stacks': [], 'aws:cdk:disable-asset-staging': true } });
  new ShopStack(app, 'Stitch', { prefix: '', shopId: 'stitch', env: TEST_ENV });
  if (options.nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
}

/** The shop's stack as tests see it: synthesized in-process, with asset bundling and staging skipped (no Docker, no esbuild run, no copies). */
export function synthShop(props: Partial<ShopStackProps> = {}): { stack: ShopStack; template: Template } {
  const stack = buildShop(props);
  return { stack, template: Template.fromStack(stack) };
}

/** The shop's stack, not yet synthesized, for a test that changes it first. */
export function buildShop(props: Partial<ShopStackProps> = {}): ShopStack {
  const app = new App({ context: { ...featureFlags(), 'aws:cdk:bundling-stacks': [], 'aws:cdk:disable-asset-staging': true } });
  return new ShopStack(app, 'Stitch', { prefix: '', shopId: 'stitch', env: TEST_ENV, ...props });
}

/** The feature flags `cdk.json` gives the app, so tests synthesize what `cdk synth` does. */
function featureFlags(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(path.join(__dirname, '..', 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  return cdkJson.context;
}
