import { deflateSync } from 'node:zlib';

/** CRC-32 of PNG chunks (table-driven, as in the PNG specification's sample code). */
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = (CRC_TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

export type Rgb = readonly [number, number, number];

/**
 * A real PNG photo stand-in for uploads: a soft studio backdrop with a garment-like silhouette in
 * `colour`, so screenshots of the shop look like a catalogue rather than flat squares.
 */
export function garmentPng(colour: Rgb, width = 800, height = 1000): Buffer {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  const [r, g, b] = colour;
  for (let y = 0; y < height; y += 1) {
    const row = y * (width * 3 + 1);
    raw[row] = 0; // filter: none
    for (let x = 0; x < width; x += 1) {
      const u = x / width - 0.5;
      const v = y / height;
      // a T-shaped silhouette: body, sleeves and a round neckline
      const isBody = Math.abs(u) < 0.24 && v > 0.22 && v < 0.86;
      const isSleeve = v > 0.22 && v < 0.42 && Math.abs(u) < 0.24 + (0.42 - v) * 0.9 && Math.abs(u) > 0.2;
      const isNeck = Math.hypot(u, (v - 0.2) * 1.2) < 0.07;
      const shade = 1 - 0.18 * Math.hypot(u, v - 0.5);
      const offset = row + 1 + x * 3;
      if ((isBody || isSleeve) && !isNeck) {
        const fold = 0.92 + 0.08 * Math.sin((x + y * 0.3) / 28);
        raw[offset] = Math.min(255, r * fold * shade);
        raw[offset + 1] = Math.min(255, g * fold * shade);
        raw[offset + 2] = Math.min(255, b * fold * shade);
      } else {
        const backdrop = 236 - 14 * v;
        raw[offset] = backdrop * shade + 6;
        raw[offset + 1] = backdrop * shade + 2;
        raw[offset + 2] = backdrop * shade - 4;
      }
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: truecolour
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
