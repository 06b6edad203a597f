import { z } from 'zod';
import { defineCommand } from '@stitch/messaging-catalogue';
import { emailAddress } from '../common';
import { Services } from '@stitch/manifest';

export const emailTemplates = ['welcome', 'order-confirmed', 'order-cancelled'] as const;

export const SendEmail = defineCommand({
  type: 'email.send-email.v1',
  name: 'SendEmail',
  owner: Services.email,
  senders: [Services.order],
  schema: z.strictObject({
    to: emailAddress,
    template: z.enum(emailTemplates),
    params: z.record(z.string(), z.union([z.string().max(2_000), z.number()])),
  }),
});
