// npm run asyncapi:generate: writes docs/asyncapi.yaml from the message catalogue and the service manifest.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ASYNCAPI_FILE, renderAsyncApi } from './asyncapi';

const file = path.resolve(__dirname, '../../..', ASYNCAPI_FILE);
writeFileSync(file, renderAsyncApi());
console.log(`Wrote ${path.relative(process.cwd(), file) || file} from the message catalogue.`);
