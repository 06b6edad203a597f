import { z } from 'zod';
import { defineEvent } from '@stitch/messaging-catalogue';
import { Services } from '@stitch/manifest';
import { emailAddress, id, personalText } from '../common';

export const UserSignedUp = defineEvent({
  type: 'storefront.user-signed-up.v1',
  name: 'UserSignedUp',
  publisher: Services.storefront,
  subscribers: [Services.order, Services.email, Services.notification],
  schema: z.strictObject({ userId: id, email: emailAddress, name: personalText(200) }),
});
