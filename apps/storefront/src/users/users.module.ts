import { Module } from '@nestjs/common';
import { SessionModule } from '../session/session.module';
import { UsersController } from './users.controller';

@Module({ imports: [SessionModule], controllers: [UsersController] })
export class UsersModule {}
