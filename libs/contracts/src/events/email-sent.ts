import { z } from 'zod';
import { defineEvent } from '@stitch/messaging-catalogue';
import { Services } from '@stitch/manifest';
import { emailTemplates } from '../commands/send-email';
import { id } from '../common';

/** Nobody subscribes yet: an event is published because it happened, not because someone asked. */
export const EmailSent = defineEvent({
  type: 'email.email-sent.v1',
  name: 'EmailSent',
  publisher: Services.email,
  subscribers: [],
  schema: z.strictObject({ sendEmailId: id, to: z.email(), template: z.enum(emailTemplates) }),
});
