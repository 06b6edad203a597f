import { Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import type { MessageHandlerFn } from '../consumer';
import type { Envelope } from '../envelope';
import type { HandlerRetryOptions } from '../retry-policy';
import { HANDLER_RETRY_EXTRAS } from './handle-message.decorator';
import type { MessagingRuntime } from '../runtime';
import { StitchContext } from './stitch.context';

/**
 * The Nest transport strategy. It does not use `Server.handleEvent`, which swallows a handler's failure: it
 * looks the handler up by pattern, waits for its observable to complete or fail, and lets the consumer settle
 * the message accordingly.
 */
export class StitchServer extends Server implements CustomTransportStrategy {
  constructor(private readonly runtime: MessagingRuntime) {
    super();
  }

  listen(callback: (error?: unknown) => void): void {
    let handlers: Map<string, MessageHandlerFn>;
    try {
      handlers = this.collectHandlers();
    } catch (error) {
      callback(error);
      return;
    }
    this.runtime.startReceiving(handlers, this.collectRetryOptions()).then(
      () => callback(),
      (error: unknown) => callback(error),
    );
  }

  async close(): Promise<void> {
    await this.runtime.stopReceiving();
  }

  on(): never {
    throw new Error('StitchServer has no transport events to subscribe to');
  }

  unwrap<T>(): T {
    return this.runtime.transport as T;
  }

  private collectHandlers(): Map<string, MessageHandlerFn> {
    const handlers = new Map<string, MessageHandlerFn>();
    for (const [pattern, handler] of this.getHandlers()) {
      if (handler.next) throw new Error(`more than one handler for "${pattern}": give each message one handler`);
      handlers.set(pattern, (envelope) => this.invoke(pattern, envelope));
    }
    return handlers;
  }

  /** What each `@HandleMessage(definition, options)` asked of the retry policy. */
  private collectRetryOptions(): Map<string, HandlerRetryOptions> {
    const options = new Map<string, HandlerRetryOptions>();
    for (const [pattern, handler] of this.getHandlers()) {
      const own = handler.extras?.[HANDLER_RETRY_EXTRAS] as HandlerRetryOptions | undefined;
      if (own) options.set(pattern, own);
    }
    return options;
  }

  private async invoke(pattern: string, envelope: Envelope): Promise<void> {
    const handler = this.getHandlerByPattern(pattern) as MessageHandler;
    const result = await handler(envelope.data, new StitchContext([envelope]));
    await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
  }
}
