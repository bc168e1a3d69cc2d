/** This SDK's version, sent in the User-Agent and with client-rendered thumbnails. */
export const SDK_VERSION = '0.1.0';
