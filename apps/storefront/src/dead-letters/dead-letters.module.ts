import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { operatorConfig } from '../config/operator.config';
import { OperatorGuard } from '../security/operator.guard';
import { DeadLettersController } from './dead-letters.controller';
import { DeadLettersService } from './dead-letters.service';

@Module({
  imports: [ConfigModule.forFeature(operatorConfig)],
  controllers: [DeadLettersController],
  providers: [DeadLettersService, OperatorGuard],
})
export class DeadLettersModule {}
