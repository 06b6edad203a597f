import path from 'node:path';
import { describeSchemaDrift } from '@stitch/persistence/testing';

describeSchemaDrift('notification', path.join(__dirname, '../prisma'));
