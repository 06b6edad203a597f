import path from 'node:path';
import { describeSchemaDrift } from '@stitch/persistence/testing';

describeSchemaDrift('order', path.join(__dirname, '../prisma'));
