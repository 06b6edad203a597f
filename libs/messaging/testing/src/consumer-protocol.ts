/** How the parent tells a consumer process to behave. */
export type Behaviour =
  /** Handle every message after `workMs`. */
  | { readonly mode: 'ok'; readonly workMs: number }
  /** Start the first message and never finish it (the test then kills the process). */
  | { readonly mode: 'hang' }
  /** Throw on every message. */
  | { readonly mode: 'fail' };

export interface ConsumerSpec {
  readonly transportModule: string;
  readonly params: unknown;
  readonly service: string;
  readonly instance: string;
  readonly behaviour: Behaviour;
  readonly concurrency: number;
  readonly lockMs: number;
}

export type ConsumerReport =
  | { readonly event: 'ready' }
  | {
      readonly event: 'started' | 'handled';
      readonly messageId: string;
      readonly type: string;
      readonly attempt: number;
      readonly at: number;
    }
  | { readonly event: 'error'; readonly message: string };
