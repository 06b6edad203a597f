/** What travels between the fake client and the fake broker: JSON only, bodies in base64. */
export type PropertyValue = string | number | boolean | null;

export interface WireMessage {
  readonly messageId?: string;
  readonly subject?: string;
  readonly to?: string;
  readonly correlationId?: string;
  readonly contentType?: string;
  readonly body: string;
  readonly applicationProperties?: Readonly<Record<string, PropertyValue>>;
  readonly timeToLiveMs?: number;
}

export interface WireReceived extends WireMessage {
  readonly sequenceNumber: number;
  /** As the SDK reports it: deliveries before this one. */
  readonly deliveryCount: number;
  readonly enqueuedAt: number;
  readonly expiresAt: number;
  readonly state: 'active' | 'scheduled';
  readonly lockToken?: string;
  readonly lockedUntil?: number;
  readonly deadLetterReason?: string;
  readonly deadLetterErrorDescription?: string;
  readonly deadLetterSource?: string;
}

export type Settlement =
  | { readonly kind: 'complete' }
  | { readonly kind: 'abandon'; readonly properties?: Readonly<Record<string, PropertyValue>> }
  | {
      readonly kind: 'deadLetter';
      readonly reason?: string;
      readonly description?: string;
      readonly properties?: Readonly<Record<string, PropertyValue>>;
    };

/** `alpha`, `events/Subscriptions/beta`, and either with `/$DeadLetterQueue`. */
export type EntityPath = string;

export type Operation =
  | { readonly op: 'open'; readonly path: EntityPath }
  | { readonly op: 'send'; readonly path: EntityPath; readonly messages: readonly WireMessage[]; readonly scheduledAt?: number }
  | {
      readonly op: 'receive';
      readonly path: EntityPath;
      readonly max: number;
      readonly waitMs: number;
      readonly mode: 'peekLock' | 'receiveAndDelete';
    }
  | { readonly op: 'peek'; readonly path: EntityPath; readonly fromSequenceNumber: number; readonly max: number }
  | { readonly op: 'settle'; readonly path: EntityPath; readonly lockToken: string; readonly settlement: Settlement }
  | { readonly op: 'renew'; readonly path: EntityPath; readonly lockToken: string };

export interface WireError {
  readonly code: string;
  readonly message: string;
}

export const DEAD_LETTER_SUFFIX = '/$DeadLetterQueue';

export function subscriptionPath(topic: string, subscription: string): EntityPath {
  return `${topic}/Subscriptions/${subscription}`;
}
