import { crc32 } from 'node:zlib';

/**
 * Spool record framing: `[u32 payload length][u32 CRC-32 of payload][payload]`, little endian.
 * A payload is the NDJSON of one acknowledged batch (empty payloads are health probes). A record
 * whose length runs past the end of the file or whose checksum does not match is a torn tail: the
 * process died mid-write, before the batch was acknowledged, so it is safe to drop it and nothing
 * after it (writers never append after a failed write; they start a new segment).
 */
export const RECORD_HEADER_BYTES = 8;
/** Upper bound of one record; anything larger in a header is corruption, not data. */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;

/** The header that frames `payload`: written just before it (`writev`, no copy of the payload). */
export function recordHeader(payload: Buffer): Buffer {
  const header = Buffer.allocUnsafe(RECORD_HEADER_BYTES);
  header.writeUInt32LE(payload.length, 0);
  header.writeUInt32LE(crc32(payload), 4);
  return header;
}

/** Frames one payload into one buffer (a copy; the writer sends header and payload apart). */
export function encodeRecord(payload: Buffer): Buffer {
  return Buffer.concat([recordHeader(payload), payload]);
}

export interface DecodedRecords {
  payloads: Buffer[];
  /** Bytes consumed from the start of `data` by complete, valid records. */
  validBytes: number;
  /** True when bytes remain after the valid records that are not a complete valid record. */
  hasTornTail: boolean;
}

/**
 * Decodes complete, checksum-valid records from the start of `data`; stops at the first record
 * that is incomplete or fails its checksum.
 */
export function decodeRecords(data: Buffer): DecodedRecords {
  const payloads: Buffer[] = [];
  let offset = 0;
  while (offset + RECORD_HEADER_BYTES <= data.length) {
    const length = data.readUInt32LE(offset);
    const checksum = data.readUInt32LE(offset + 4);
    if (length > MAX_RECORD_BYTES) break;
    const end = offset + RECORD_HEADER_BYTES + length;
    if (end > data.length) break;
    const payload = data.subarray(offset + RECORD_HEADER_BYTES, end);
    if (crc32(payload) !== checksum) break;
    payloads.push(payload);
    offset = end;
  }
  return { payloads, validBytes: offset, hasTornTail: offset < data.length };
}
