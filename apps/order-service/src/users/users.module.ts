import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { workshopConfig } from '../config/workshop.config';
import { UserSignedUpHandler } from './user-signed-up.handler';
import { UsersRepository } from './users.repository';

@Module({
  imports: [ConfigModule.forFeature(workshopConfig)],
  controllers: [UserSignedUpHandler],
  providers: [UsersRepository],
  exports: [UsersRepository],
})
export class UsersModule {}
