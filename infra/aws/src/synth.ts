import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ShopStack, type ShopStackProps } from './shop-stack';

/** The shop's stack as tests see it: synthesized in-process, with asset bundling skipped (no Docker, no esbuild run). */
export function synthShop(props: Partial<ShopStackProps> = {}, options: { nag?: boolean } = {}): { stack: ShopStack; template: Template } {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new ShopStack(app, 'Stitch', { prefix: '', shopId: 'stitch', ...props });
  if (options.nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { stack, template: Template.fromStack(stack) };
}
