import path from 'node:path';
import { describeSchemaDrift } from '@stitch/persistence/testing';

describeSchemaDrift('storefront', path.join(__dirname, '../prisma'));
