// One jest config per project, split into the three test tiers by file name so each tier is its own Nx target:
// *.spec.ts (unit), *.int.spec.ts (real broker, emulator or database), *.e2e-spec.ts (whole processes).
const path = require('node:path');
const fs = require('node:fs');

const swcrc = JSON.parse(fs.readFileSync(path.join(__dirname, '.swcrc'), 'utf8'));
delete swcrc.$schema;
const transform = { '^.+\\.ts$': ['@swc/jest', { ...swcrc, swcrc: false }] };

function tier(displayName, rootDir, testMatch, testPathIgnorePatterns, extra = {}) {
  return {
    displayName,
    rootDir,
    testEnvironment: 'node',
    transform,
    moduleFileExtensions: ['ts', 'js', 'json'],
    testMatch,
    testPathIgnorePatterns: ['/node_modules/', ...testPathIgnorePatterns],
    ...extra,
  };
}

/** @param {string} projectRoot absolute path of the project */
module.exports.tiers = function tiers(projectRoot, extra = {}) {
  return {
    projects: [
      // testTimeout is global to a jest run, not per project: each Nx target passes its own. The test target's 15 s is
      // above the longest wait of a unit test (until, 10 s), so a wait that times out says what it waited for.
      tier('unit', projectRoot, ['<rootDir>/**/*.spec.ts'], ['\\.int\\.spec\\.ts$'], extra.unit),
      tier('int', projectRoot, ['<rootDir>/**/*.int.spec.ts'], [], extra.int),
      tier('e2e', projectRoot, ['<rootDir>/**/*.e2e-spec.ts'], [], extra.e2e),
    ],
  };
};
