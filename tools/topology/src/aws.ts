// npm run topology:aws -- [--apply | --check | --delete | --json] [--prefix NAME] [--shop ID]: the shop's catalogue on SQS and EventBridge.
import { shopCatalogue } from '@stitch/contracts';
import { runAwsTopologyTool } from '@stitch/messaging-aws';

void runAwsTopologyTool(shopCatalogue);
