import path from 'node:path';
import { describeSchemaDrift } from '@stitch/persistence/testing';

describeSchemaDrift('inventory', path.join(__dirname, '../prisma'));
