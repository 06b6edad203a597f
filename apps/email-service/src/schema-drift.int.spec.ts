import path from 'node:path';
import { describeSchemaDrift } from '@stitch/persistence/testing';

describeSchemaDrift('email', path.join(__dirname, '../prisma'));
