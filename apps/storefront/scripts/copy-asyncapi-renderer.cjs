// The storefront's `generate` target: copies the AsyncAPI renderer's browser bundle (React and the AsyncAPI parser
// included) and its style sheet from node_modules into public/vendor/, which the storefront serves at /vendor/ and the
// production build ships with the rest of public/. The package is a development dependency, so the production
// install, which every service's image shares, does not carry its tree.
const { copyFileSync, mkdirSync, rmSync } = require('node:fs');
const path = require('node:path');

const PACKAGE = '@asyncapi/react-component';
const FILES = ['browser/standalone/index.js', 'browser/standalone/index.js.LICENSE.txt', 'styles/default.min.css', 'LICENSE'];

let packageRoot;
try {
  packageRoot = path.dirname(require.resolve(`${PACKAGE}/package.json`));
} catch {
  console.error(`${PACKAGE} is not installed: run npm ci, then this again`);
  process.exit(1);
}
const target = path.join(__dirname, '../public/vendor/asyncapi-react-component');
rmSync(target, { recursive: true, force: true });
mkdirSync(target, { recursive: true });
for (const file of FILES) copyFileSync(path.join(packageRoot, file), path.join(target, path.basename(file)));
