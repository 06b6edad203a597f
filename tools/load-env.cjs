// Preloaded by npm start, npm run doctor, dlq and the topology commands: the settings in ./.env (see .env.example).
// A variable already set in the environment wins, so `PORT=4000 npm start` still does what it says.
const { existsSync } = require('node:fs');

if (existsSync('.env')) process.loadEnvFile('.env');
