// The CDK app: `npm run deploy:aws` (cdk deploy), `cdk synth` offline. Settings come from CDK context (`-c prefix=…`).
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ShopStack } from './shop-stack';

const app = new App();
new ShopStack(app, 'Stitch', ShopStack.propsFromContext(app));
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
