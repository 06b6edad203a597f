import { Inject, Injectable } from '@nestjs/common';
import { Database } from '@stitch/persistence';
import type { PrismaClient } from '../generated/prisma/client';

export interface KnownUser {
  readonly id: string;
  readonly email: string;
  readonly name: string;
}

/** The order service's own copy of the shop's users, kept from UserSignedUp; no other service's data is read. */
@Injectable()
export class UsersRepository {
  constructor(@Inject(Database) private readonly db: Database<PrismaClient>) {}

  /** Stores a user, or refreshes one already known: a repeated UserSignedUp leaves one row. */
  async save(user: KnownUser): Promise<void> {
    const { id, email, name } = user;
    await this.db.client.user.upsert({ where: { id }, create: { id, email, name }, update: { email, name } });
  }

  async exists(id: string): Promise<boolean> {
    return (await this.db.client.user.count({ where: { id } })) > 0;
  }
}
