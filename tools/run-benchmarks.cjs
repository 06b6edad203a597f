// `npm run bench [-- --quick] [-- --rate N --duration S]`: the embedded transport's benchmark, then the whole
// shop's checkout flow. npm hands the arguments to the last command only, so this passes them to both.
// `npm run bench -- --peers [--quick] [--messages N] [--seconds S]`: instead, the embedded transport beside BullMQ on
// Redis and Nest's RabbitMQ transport. `npm run bench -- --aws [--quick] [--messages N] [--seconds S] [--rounds R]`: the AWS
// transport beside the bare AWS SDK, on a moto server it starts. `npm run bench -- --azure [--quick] [--messages N]
// [--seconds S]`: the Service Bus transport beside the bare SDK, on the broker SERVICEBUS_CONNECTION_STRING names. Every run writes its figures as JSON under .data/bench/;
// `npm run bench -- --compare <earlier.json> <later.json>` puts two of them side by side.
const { spawnSync } = require('node:child_process');

const args = process.argv.slice(2);
const benchmarks = args.includes('--compare')
  ? [['libs/testing/bench/src/compare-runs.ts', args]]
  : args.includes('--peers')
    ? [['libs/messaging/local/bench/peers/peers.ts', args]]
    : args.includes('--aws')
      ? [['libs/messaging/aws/bench/aws-bench.ts', args]]
      : args.includes('--azure')
        ? [['libs/messaging/azure-service-bus/bench/service-bus-bench.ts', args]]
        : [
            ['libs/messaging/local/bench/bench.ts', args.filter((arg) => arg === '--quick')],
            ['apps/shop-e2e/bench/checkout-bench.ts', args],
          ];
for (const [file, own] of benchmarks) {
  const { status } = spawnSync(process.execPath, ['--require', '@swc-node/register', file, ...own], { stdio: 'inherit' });
  if (status !== 0) process.exit(status ?? 1);
}
