/** When a requested delay exceeds the transport's longest, the message carries its real due time here. */
export const DELIVER_AT_HEADER = 'stitch-deliver-at';
