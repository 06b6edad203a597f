// What the whole-shop tests (apps/shop-e2e, apps/shop-faults) share: the storefront as a customer sees it, the
// live view's streams, the mailbox, the service databases, the AWS topology of a run and an OTLP receiver.
export * from './aws-topology';
export * from './event-stream';
export * from './mailbox';
export * from './service-databases';
export * from './storefront-client';
export * from './otlp-receiver';
