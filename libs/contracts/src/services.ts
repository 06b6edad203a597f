export const Services = {
  storefront: 'storefront',
  order: 'order-service',
  inventory: 'inventory-service',
  payment: 'payment-service',
  email: 'email-service',
  notification: 'notification-service',
} as const;

export type ServiceName = (typeof Services)[keyof typeof Services];

export const serviceNames: readonly ServiceName[] = Object.values(Services);
