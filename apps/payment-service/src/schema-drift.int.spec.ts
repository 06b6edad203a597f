import path from 'node:path';
import { describeSchemaDrift } from '@stitch/persistence/testing';

describeSchemaDrift('payment', path.join(__dirname, '../prisma'));
