import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { BootstrapOptions } from '@stitch/messaging-core';
import { cleanupOpenApiDoc } from 'nestjs-zod';
import { operatorConfig, type OperatorConfig } from '../config/operator.config';
import { requestPolicyConfig, type RequestPolicyConfig } from '../config/request-policy.config';
import { traceViewConfig, type TraceViewConfig } from '../config/trace-view.config';
import { FlowRecordDto, ReplicaStartedDto } from '../flow/flow-record.schema';
import { InvalidRequestException } from './api-error';
import { contentSecurityPolicy } from './content-security-policy';
import { sameSiteJsonOnly } from '../security/same-site-json';
import { isOtlpBody, OTLP_PATH, otlpGate } from '../traces/otlp-gate';
import { rejectUnreadableBody } from './unreadable-body';

/** The web page: plain HTML, CSS and JS modules, served as they are (no build step). */
export const WEB_ROOT = path.join(__dirname, '../../public');

/** The shared policy with inline styles allowed, for Swagger UI. */
const DOCS_CONTENT_SECURITY_POLICY = contentSecurityPolicy({ 'style-src': ["'self'", "'unsafe-inline'"] });

/** The storefront's HTTP extras on top of what every app gets: the web page at `/` and the API docs. */
export function configureHttp(app: INestApplication): void {
  const express = app as NestExpressApplication;
  const policy = app.get<RequestPolicyConfig>(requestPolicyConfig.KEY);
  const traceView = app.get<TraceViewConfig>(traceViewConfig.KEY);
  // Before any body is read: spans only while the trace view is on, and from this host or with the operator token.
  express.use(OTLP_PATH, otlpGate(traceView, app.get<OperatorConfig>(operatorConfig.KEY)));
  // Before any body is read: a write from another site is refused (403), a body that is not JSON too (415), except
  // the OTLP receiver's, which may be protobuf and is checked by the receiver.
  express.use(sameSiteJsonOnly(policy.allowedOrigins, { ownBodies: [`${OTLP_PATH}/`] }));
  // CORS stays closed (no Access-Control-* headers) unless ALLOWED_ORIGINS names other origins.
  if (policy.allowedOrigins.length > 0) {
    express.enableCors({
      origin: [...policy.allowedOrigins],
      methods: ['GET', 'HEAD', 'POST'],
      allowedHeaders: ['content-type', 'x-correlation-id'],
    });
  }
  express.useStaticAssets(WEB_ROOT, { index: 'index.html', maxAge: 0 });
  // Swagger UI's page carries inline styles: the API docs alone may use them.
  express.use('/docs', (_request: unknown, response: { setHeader(name: string, value: string): void }, next: () => void) => {
    response.setHeader('Content-Security-Policy', DOCS_CONTENT_SECURITY_POLICY);
    next();
  });
  // An OTLP body (JSON or protobuf, possibly gzipped) is read as bytes with the trace view's own limit; the JSON parser
  // then leaves it alone.
  express.useBodyParser('raw', { type: isOtlpBody, limit: traceView.maxBodyBytes });
  // Nest would add the JSON parser when it starts; added here, the error middleware can follow it. Only JSON bodies
  // get this far (sameSiteJsonOnly), so no other parser is needed.
  express.useBodyParser('json');
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
      .addBearerAuth(
        { type: 'http', scheme: 'bearer', description: 'The operator token (OPERATOR_TOKEN), for the dead-letter endpoints' },
        'operator',
      )
      .build(),
    { extraModels: [FlowRecordDto, ReplicaStartedDto] },
  );
  // The health routes are every app's, declared in the messaging lib without docs of their own.
  const ready = {
    '200': { description: 'Ready: the transport and its topology answer' },
    '503': { description: 'Not ready: names each dependency that does not answer, and why' },
  };
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

/** What the storefront adds to the shared bootstrap: its HTTP set-up, and client errors in the API's 4xx shape. */
export const storefrontHttp: Pick<BootstrapOptions, 'configure' | 'clientErrorBody'> = {
  configure: configureHttp,
  clientErrorBody: (_status, message) => new InvalidRequestException([{ path: '', message }]).getResponse() as Record<string, unknown>,
};
