module.exports = require('../../../jest.preset.js').tiers(__dirname);
