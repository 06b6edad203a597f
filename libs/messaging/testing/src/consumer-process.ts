/**
 * A consumer in its own OS process: the real core consumer on the transport under test, reporting what it
 * handles over IPC. The conformance suite starts several and kills them with SIGKILL.
 */
import pino from 'pino';
import { endpointsOf, MessageConsumer, type MessageHandlerFn } from '@stitch/messaging-core';
import { conformanceCatalogue } from './conformance-catalogue';
import type { ConsumerReport, ConsumerSpec } from './consumer-protocol';
import type { TransportModuleFactory } from './fixture';

function report(message: ConsumerReport): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '') as ConsumerSpec;
  const { createTransport } = (await import(spec.transportModule)) as { createTransport: TransportModuleFactory };
  const transport = createTransport(conformanceCatalogue.topology(), spec.params);
  await transport.start();

  const handler: MessageHandlerFn = async (envelope, _definition, attempt) => {
    report({ event: 'started', messageId: envelope.id, type: envelope.type, attempt, at: Date.now() });
    const { behaviour } = spec;
    if (behaviour.mode === 'hang') await new Promise(() => undefined);
    if (behaviour.mode === 'fail') throw new Error('conformance: refused');
    if (behaviour.mode === 'ok' && behaviour.workMs > 0) await new Promise((resolve) => setTimeout(resolve, behaviour.workMs));
    report({ event: 'handled', messageId: envelope.id, type: envelope.type, attempt, at: Date.now() });
  };

  const handledTypes = endpointsOf(conformanceCatalogue, spec.service).flatMap((endpoint) => [...endpoint.types]);
  const consumer = new MessageConsumer({
    transport,
    catalogue: conformanceCatalogue,
    service: spec.service,
    instance: spec.instance,
    handlers: new Map(handledTypes.map((type) => [type, handler])),
    logger: pino({ level: 'silent' }),
    retry: { immediate: 0, baseDelayMs: 50, maxDelayMs: 200, jitter: 0 },
    concurrency: spec.concurrency,
    lockMs: spec.lockMs,
  });
  await consumer.start();
  report({ event: 'ready' });

  // Whatever happens to the test process, its consumers do not outlive it.
  process.on('disconnect', () => process.exit(1));
  process.on('message', (message) => {
    if (message === 'stop') {
      void consumer
        .stop()
        .then(() => transport.close())
        .then(() => process.exit(0));
    }
  });
}

main().catch((error: unknown) => {
  report({ event: 'error', message: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
  process.exit(1);
});
