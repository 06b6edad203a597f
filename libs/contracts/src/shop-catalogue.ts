import { serviceNames, Services } from '@stitch/manifest';
import { Catalogue } from '@stitch/messaging-catalogue';
import { ChargePayment, ExpireOrder, PlaceOrder, RefundPayment, ReleaseStock, ReserveStock, SendEmail } from './commands';
import {
  EmailSent,
  OrderCancelled,
  OrderConfirmed,
  OrderPlaced,
  PaymentFailed,
  PaymentRefunded,
  PaymentSucceeded,
  StockReservationFailed,
  StockReserved,
  UserSignedUp,
} from './events';

/** The shop's whole message catalogue: every queue, subscription and filter on every transport derives from it. */
export const shopCatalogue = new Catalogue({
  services: serviceNames,
  messages: [
    PlaceOrder,
    ExpireOrder,
    ReserveStock,
    ReleaseStock,
    ChargePayment,
    RefundPayment,
    SendEmail,
    UserSignedUp,
    OrderPlaced,
    OrderConfirmed,
    OrderCancelled,
    StockReserved,
    StockReservationFailed,
    PaymentSucceeded,
    PaymentFailed,
    PaymentRefunded,
    EmailSent,
  ],
  maxAttempts: {
    default: 5,
    // A PlaceOrder can race the UserSignedUp that introduces its user; give it room to wait.
    queues: { [Services.order]: 8 },
  },
});
