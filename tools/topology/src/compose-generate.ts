// npm run compose:generate: writes docker-compose.yml from the service manifest (libs/manifest).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderCompose } from './compose';

const file = path.resolve(__dirname, '../../../docker-compose.yml');
writeFileSync(file, renderCompose());
console.log(`Wrote ${path.relative(process.cwd(), file) || file} from the service manifest.`);
