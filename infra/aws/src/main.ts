// The CDK app: `npm run deploy:aws` (cdk deploy), `npm run synth:aws` offline. Settings come from CDK context (`-c prefix=…`).
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ShopStack } from './shop-stack';

const app = new App();
// The CDK CLI fills these from the credentials and profile in use; synth without any needs only a region.
const region = app.node.tryGetContext('region') ?? process.env.CDK_DEFAULT_REGION;
if (!region) {
  console.error('No AWS region: set AWS_REGION (or a profile with a region), or pass -c region=eu-west-1');
  process.exit(1);
}
const props = ShopStack.propsFromContext(app);
new ShopStack(app, app.node.tryGetContext('stackName') ?? (props.prefix ? `${props.prefix}-stitch` : 'Stitch'), {
  ...props,
  env: { region, account: process.env.CDK_DEFAULT_ACCOUNT },
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
