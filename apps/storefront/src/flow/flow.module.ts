import { Module } from '@nestjs/common';
import { FlowController } from './flow.controller';
import { FlowFeed } from './flow-feed';

@Module({ controllers: [FlowController], providers: [FlowFeed] })
export class FlowModule {}
