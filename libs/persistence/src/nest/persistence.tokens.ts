/** The service's `OutgoingDispatcher`: pass it as `dispatcher` to StitchMessagingModule.forRoot. */
export const OUTBOX_DISPATCHER = Symbol('stitch:persistence:outbox-dispatcher');

/** The service's handler wrapper (`{ wrap }`): pass it as `handlerWrapper` to StitchMessagingModule.forRoot. */
export const INBOX = Symbol('stitch:persistence:inbox');
