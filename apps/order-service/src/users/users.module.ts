import { Module } from '@nestjs/common';
import { UserSignedUpHandler } from './user-signed-up.handler';
import { UsersRepository } from './users.repository';

@Module({
  controllers: [UserSignedUpHandler],
  providers: [UsersRepository],
  exports: [UsersRepository],
})
export class UsersModule {}
