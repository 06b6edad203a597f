export * from './place-order';
export * from './reserve-stock';
export * from './release-stock';
export * from './charge-payment';
export * from './send-email';
export * from './expire-order';
export * from './refund-payment';
