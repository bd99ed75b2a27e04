export {
  processAndStoreImage,
  imageDir,
  imageUrl,
  widthsFor,
  IMAGE_WIDTHS,
  MAX_IMAGE_BYTES,
  MAX_IMAGE_PIXELS,
  IMAGE_KEY_PATTERN,
  IMAGE_FILE_PATTERN,
  type StoredImage,
} from './images.js';
export { MediaError, MEDIA_ERROR, isMediaError, type MediaErrorCode } from './errors.js';
