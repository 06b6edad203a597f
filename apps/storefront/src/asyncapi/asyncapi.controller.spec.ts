import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { shopAsyncApiOptions, shopCatalogue } from '@stitch/contracts';
import { applyHttpHygiene, asyncApiDocument, type AsyncApiDocument } from '@stitch/messaging-core';
import { WEB_ROOT } from '../http/configure-http';
import { AsyncApiModule } from './asyncapi.module';

// The routes with the shared security headers and the storefront's static files, as the app serves them.
let app: NestExpressApplication;
let base: string;

beforeAll(async () => {
  app = await NestFactory.create<NestExpressApplication>(AsyncApiModule, { logger: false });
  applyHttpHygiene(app, { trustProxy: false });
  app.useStaticAssets(WEB_ROOT);
  await app.listen(0, '127.0.0.1');
  base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
});

afterAll(async () => {
  await app?.close();
});

describe('GET /asyncapi.json', () => {
  it("is the shop's AsyncAPI document, generated from the message catalogue", async () => {
    const response = await fetch(`${base}/asyncapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const document = (await response.json()) as AsyncApiDocument;
    expect(document).toEqual(asyncApiDocument(shopCatalogue, shopAsyncApiOptions));
    expect(document).toMatchObject({ asyncapi: '3.0.0', info: { title: 'Stitch shop' } });
    expect(Object.keys(document.components.messages)).toEqual(shopCatalogue.messages.map((message) => message.type));
  });

  it('keeps the strict policy: it is data, not a page', async () => {
    const csp = (await fetch(`${base}/asyncapi.json`)).headers.get('content-security-policy');
    expect(csp).toContain("script-src 'self';");
    expect(csp).not.toContain('unsafe');
  });
});

describe('GET /asyncapi', () => {
  it('is a page that loads the AsyncAPI renderer and the script that points it at /asyncapi.json', async () => {
    const response = await fetch(`${base}/asyncapi`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    const scripts = [...html.matchAll(/<script[^>]* src="([^"]+)"/g)].map(([, src]) => src);
    const sheets = [...html.matchAll(/<link rel="stylesheet" href="([^"]+)"/g)].map(([, href]) => href);
    expect(scripts).toEqual(['/vendor/asyncapi-react-component/index.js', '/js/asyncapi.mjs']);
    expect(sheets).toEqual(['/vendor/asyncapi-react-component/default.min.css']);

    const [renderer, boot] = await Promise.all(scripts.map((src) => fetch(`${base}${src}`)));
    expect(renderer?.status).toBe(200);
    expect(await renderer?.text()).toContain('AsyncApiStandalone');
    expect(await boot?.text()).toMatch(/AsyncApiStandalone\.render\([\s\S]*'\/asyncapi\.json'/);
    expect((await fetch(`${base}${sheets[0]}`)).status).toBe(200);
  });

  it("lets the renderer's bundle evaluate the validators it compiles, and changes nothing else of the policy", async () => {
    const csp = (await fetch(`${base}/asyncapi`)).headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self' 'unsafe-eval';");
    expect(csp).toContain("script-src-attr 'none'");
    expect(csp).toContain("style-src 'self';");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
  });
});
