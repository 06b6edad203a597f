import { z } from 'zod';
import { defineEvent } from '../define';
import { Services } from '../services';
import { id } from '../common';

export const UserSignedUp = defineEvent({
  type: 'storefront.user-signed-up.v1',
  name: 'UserSignedUp',
  publisher: Services.storefront,
  subscribers: [Services.order, Services.email, Services.notification],
  schema: z.strictObject({ userId: id, email: z.email(), name: z.string().min(1).max(200) }),
});
