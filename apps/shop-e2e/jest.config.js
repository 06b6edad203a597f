const config = require('../../jest.preset.js').tiers(__dirname);

// A fourth tier, outside npm test: the shop in containers, which .ci/run starts after the other tiers have run.
const e2e = config.projects.find((project) => project.displayName === 'e2e');
config.projects.push({ ...e2e, displayName: 'containers', testMatch: ['<rootDir>/**/*.container-spec.ts'] });

module.exports = config;
