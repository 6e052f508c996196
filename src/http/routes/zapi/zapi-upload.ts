/** The largest upload the compat media route takes (WhatsApp's document limit); per-type limits are the pipeline's. */
export const COMPAT_MAX_UPLOAD_BYTES = 100 * 1024 * 1024;
