import { Module } from '@nestjs/common';
import { FlowController } from './flow.controller';
import { FlowFeed } from './flow-feed';
import { FlowHistory } from './flow-history';

@Module({ controllers: [FlowController], providers: [FlowFeed, { provide: FlowHistory, useFactory: () => new FlowHistory() }] })
export class FlowModule {}
