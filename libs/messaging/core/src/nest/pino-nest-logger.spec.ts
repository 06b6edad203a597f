import { Writable } from 'node:stream';
import pino from 'pino';
import { runInMessageContext } from '../message-context';
import { createLogger } from '../logger';
import { PinoNestLogger } from './pino-nest-logger';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, stream };
}

describe('PinoNestLogger', () => {
  it('writes Nest lines as JSON with their context', () => {
    const { lines, stream } = capture();
    const logger = new PinoNestLogger(pino({ base: { service: 'order-service' } }, stream));
    logger.log('Mapped {/health, GET} route', 'RouterExplorer');
    logger.error('boom', 'Error: boom\n    at x', 'ExceptionsHandler');
    expect(lines[0]).toMatchObject({ level: 30, service: 'order-service', context: 'RouterExplorer', msg: 'Mapped {/health, GET} route' });
    expect(lines[1]).toMatchObject({ level: 50, context: 'ExceptionsHandler', stack: 'Error: boom\n    at x', msg: 'boom' });
  });
});

describe('createLogger', () => {
  it('tags each line with the service, the replica and the correlation id of the work in hand', () => {
    const { lines, stream } = capture();
    const logger = createLogger({ service: 'email-service', instance: 'email-service-2' }, 'info', stream);
    logger.info('idle');
    runInMessageContext({ correlationId: 'order-7' }, () => logger.info({ card: '4000000000000002' }, 'sending'));
    expect(lines[0]).toMatchObject({ service: 'email-service', instance: 'email-service-2', msg: 'idle' });
    expect(lines[0]).not.toHaveProperty('correlationId');
    expect(lines[1]).toMatchObject({ correlationId: 'order-7', card: '[redacted]', msg: 'sending' });
  });
});
