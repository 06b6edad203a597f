// Run before anything else so an old Node fails with one readable line instead of a stack trace from node:sqlite.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 22)) {
  console.error(
    `Stitch needs Node.js >= 22.22 (24 LTS recommended); this is ${process.version}: install Node.js 24 LTS (nodejs.org, or nvm install 24).`,
  );
  process.exit(1);
}
