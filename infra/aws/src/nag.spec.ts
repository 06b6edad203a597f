import { App, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ShopStack } from './shop-stack';
import { synthStitchApp, TEST_ENV } from './synth';

// cdk-nag's AwsSolutions pack runs at synth, as in `cdk synth`; every accepted finding is in nag-acknowledgements.ts.
describe('cdk-nag AwsSolutions', () => {
  it('finds nothing unacknowledged in the shop stack', () => {
    expect(() => synthStitchApp({ nag: true })).not.toThrow();
  });

  it('fails the synth on a finding nobody acknowledged', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [], 'aws:cdk:disable-asset-staging': true } });
    const stack = new ShopStack(app, 'Stitch', { prefix: '', shopId: 'stitch', env: TEST_ENV });
    new sqs.Queue(stack, 'Unencrypted', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/Validation failed|AwsSolutions-SQS/);
  });
});
