import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { shopAsyncApiOptions, shopCatalogue } from '@stitch/contracts';
import { asyncApiDocument, type AsyncApiDocument } from '@stitch/messaging-core';
import { contentSecurityPolicy } from '../http/content-security-policy';

/**
 * The renderer's bundle compiles JSON Schema validators (ajv, inside the AsyncAPI parser it carries) with
 * `new Function` as it loads, which only 'unsafe-eval' permits; without it the page stays blank. The page still runs
 * nothing but the storefront's own script files, none inline, and the rest of the shared policy holds.
 */
export const ASYNCAPI_PAGE_CONTENT_SECURITY_POLICY = contentSecurityPolicy({ 'script-src': ["'self'", "'unsafe-eval'"] });

/** Beside this file rather than in public/: only this route, with the policy above, serves it. */
const PAGE = readFileSync(path.join(__dirname, 'asyncapi.html'), 'utf8');

/**
 * The shop's AsyncAPI document, made from the message catalogue as docs/asyncapi.yaml is, and a page that renders it
 * with the AsyncAPI React component (its bundle is copied into public/vendor/ by the generate target).
 */
@ApiExcludeController()
@Controller()
export class AsyncApiController {
  private document: AsyncApiDocument | undefined;

  @Get('asyncapi.json')
  json(): AsyncApiDocument {
    this.document ??= asyncApiDocument(shopCatalogue, shopAsyncApiOptions);
    return this.document;
  }

  @Get('asyncapi')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', ASYNCAPI_PAGE_CONTENT_SECURITY_POLICY)
  page(): string {
    return PAGE;
  }
}
