import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { cleanupOpenApiDoc } from 'nestjs-zod';
import { FlowRecordDto, ReplicaStartedDto } from '../flow/flow-record.schema';
import { rejectUnreadableBody } from './unreadable-body';

/** The web page: plain HTML, CSS and JS modules, served as they are (no build step). */
export const WEB_ROOT = path.join(__dirname, '../../public');

/** The storefront's HTTP extras on top of what every app gets: the web page at `/` and the API docs. */
export function configureHttp(app: INestApplication): void {
  const express = app as NestExpressApplication;
  express.useStaticAssets(WEB_ROOT, { index: 'index.html', maxAge: 0 });
  // Nest would add the same two parsers when it starts; added here, the error middleware can follow them.
  express.useBodyParser('json');
  express.useBodyParser('urlencoded', { extended: true });
  express.use(rejectUnreadableBody);
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Stitch storefront')
      .setDescription(
        'The shop’s public HTTP API. Queries are answered by asking the owning service over HTTP; ' +
          'sign-up publishes the UserSignedUp event and checkout sends the PlaceOrder command, answering 202 at once.',
      )
      .setVersion('1')
      .build(),
    { extraModels: [FlowRecordDto, ReplicaStartedDto] },
  );
  // The health routes are every app's, declared in the messaging lib without docs of their own.
  const ready = { '200': { description: 'Ready: the transport and its topology answer' }, '503': { description: 'Not ready: names each dependency that does not answer, and why' } };
  const documented: Record<string, Record<string, { description: string }>> = {
    '/health/live': { '200': { description: 'The process answers; depends on nothing else' } },
    '/health/ready': ready,
    '/health': ready,
  };
  for (const [route, responses] of Object.entries(documented)) {
    const operation = document.paths[route]?.get;
    if (operation) operation.responses = responses;
  }
  SwaggerModule.setup('docs', app, cleanupOpenApiDoc(document), { jsonDocumentUrl: 'docs-json' });
}
