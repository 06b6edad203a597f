import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Parser } from '@asyncapi/parser';
import { shopCatalogue } from '@stitch/contracts';
import { serviceNames } from '@stitch/manifest';
import YAML from 'yaml';
import { ASYNCAPI_FILE, ASYNCAPI_GENERATE_COMMAND, renderAsyncApi, shopAsyncApi } from './asyncapi';

const committed = path.resolve(__dirname, '../../..', ASYNCAPI_FILE);

describe('docs/asyncapi.yaml', () => {
  it(`is committed as the catalogue renders it (regenerate: ${ASYNCAPI_GENERATE_COMMAND})`, () => {
    const onDisk = readFileSync(committed, 'utf8');
    if (onDisk !== renderAsyncApi())
      throw new Error(`${ASYNCAPI_FILE} differs from what the message catalogue gives: run ${ASYNCAPI_GENERATE_COMMAND} and commit it`);
    expect(YAML.parse(onDisk)).toEqual(shopAsyncApi());
  });

  it('is a valid AsyncAPI 3.0.0 document', async () => {
    const { document, diagnostics } = await new Parser().parse(readFileSync(committed, 'utf8'));
    // Severity 0 is an error; warnings and hints (such as "a newer AsyncAPI version exists") do not make it invalid.
    expect(diagnostics.filter((diagnostic) => diagnostic.severity === 0).map((diagnostic) => diagnostic.message)).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
    expect(document?.info().title()).toBe('Stitch shop');
  });

  it('names every message of the catalogue by its versioned type, and every service that sends or receives one', () => {
    const document = shopAsyncApi();
    expect(Object.keys(document.components.messages)).toEqual(shopCatalogue.messages.map((message) => message.type));
    expect(Object.values(document.components.messages).map((message) => message.name)).toEqual(
      shopCatalogue.messages.map((message) => message.name),
    );
    expect(Object.keys(document.components.tags).sort()).toEqual([...serviceNames].sort());
    expect(document.channels['events.subscription']).toBeUndefined();
    expect(document.channels['notification-service.subscription']?.address).toBe('events/notification-service');
    expect(document.operations['storefront.send.order.place-order.v1']).toMatchObject({
      action: 'send',
      channel: { $ref: '#/channels/order-service.queue' },
    });
  });
});
