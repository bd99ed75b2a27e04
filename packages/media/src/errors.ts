/** Why an upload was refused; stable codes the API maps to 4xx responses. */
export const MEDIA_ERROR = {
  /** Not a decodable JPEG, PNG or WebP (or bytes that only pretend to be one). */
  UNSUPPORTED_IMAGE: 'UNSUPPORTED_IMAGE',
  /** More bytes than MAX_IMAGE_BYTES. */
  IMAGE_TOO_LARGE: 'IMAGE_TOO_LARGE',
  /** More pixels than MAX_IMAGE_PIXELS: a decompression bomb or an absurd original. */
  IMAGE_TOO_MANY_PIXELS: 'IMAGE_TOO_MANY_PIXELS',
} as const;

export type MediaErrorCode = (typeof MEDIA_ERROR)[keyof typeof MEDIA_ERROR];

/** A rejected image upload. */
export class MediaError extends Error {
  constructor(
    readonly code: MediaErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MediaError';
  }
}

export function isMediaError(error: unknown): error is MediaError {
  return error instanceof MediaError;
}
