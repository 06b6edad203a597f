import { Inject, Injectable, Logger } from '@nestjs/common';
import { CORRELATION_HEADER, currentMessageContext } from '@stitch/messaging-core';
import type { z } from 'zod';
import { storefrontConfig, type StorefrontConfig } from '../config/storefront.config';
import { UpstreamInvalidAnswerException, UpstreamUnavailableException } from '../http/api-error';

/**
 * Questions to the services that own the answers (queries are HTTP, not messages). A service that cannot be
 * reached, is too slow or fails becomes a 503 naming it; an answer that breaks the contract becomes a 502.
 */
@Injectable()
export class UpstreamClient {
  private readonly logger = new Logger(UpstreamClient.name);

  constructor(@Inject(storefrontConfig.KEY) private readonly config: StorefrontConfig) {}

  /** The parsed answer, or `undefined` when the service says 404. */
  async getJson<S extends z.ZodType>(service: string, url: string, schema: S): Promise<z.output<S> | undefined> {
    const response = await this.fetch(service, url, 'application/json', AbortSignal.timeout(this.config.upstreamTimeoutMs));
    if (response.status === 404) return undefined;
    if (!response.ok) {
      this.logger.warn(`${service} answered ${response.status} to GET ${url}`);
      throw new UpstreamUnavailableException(service);
    }
    const parsed = schema.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success) {
      this.logger.warn(`${service} answered GET ${url} with a body that breaks its contract: ${parsed.error.message}`);
      throw new UpstreamInvalidAnswerException(service);
    }
    return parsed.data;
  }

  /**
   * Opens a long-lived stream (server-sent events): only connecting is timed; `signal` ends the stream. `headers`
   * go along, e.g. the browser's Last-Event-ID.
   */
  async openStream(service: string, url: string, signal: AbortSignal, headers: Readonly<Record<string, string>> = {}): Promise<Response> {
    const controller = new AbortController();
    signal.addEventListener('abort', () => controller.abort(), { once: true });
    const connectTimer = setTimeout(() => controller.abort(), this.config.upstreamTimeoutMs);
    let response: Response;
    try {
      response = await this.fetch(service, url, 'text/event-stream', controller.signal, headers);
    } finally {
      clearTimeout(connectTimer);
    }
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      this.logger.warn(`${service} answered ${response.status} to GET ${url}`);
      throw new UpstreamUnavailableException(service);
    }
    return response;
  }

  private async fetch(
    service: string,
    url: string,
    accept: string,
    signal: AbortSignal,
    headers: Readonly<Record<string, string>> = {},
  ): Promise<Response> {
    const correlationId = currentMessageContext()?.correlationId;
    try {
      return await fetch(url, {
        headers: { ...headers, accept, ...(correlationId ? { [CORRELATION_HEADER]: correlationId } : {}) },
        signal,
      });
    } catch (error) {
      this.logger.warn(`${service} could not be reached at ${url}: ${describe(error)}`);
      throw new UpstreamUnavailableException(service);
    }
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.name === 'AbortError' || error.name === 'TimeoutError' ? 'timed out' : error.message}${cause}`;
}
