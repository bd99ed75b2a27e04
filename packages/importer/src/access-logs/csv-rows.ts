/**
 * Rows of numbers as CSV bytes, written straight into a buffer: one staged row per log line,
 * so building a string per line (and a rope of them per chunk, which lived long enough to be
 * copied by the garbage collector) was a large part of reading a log.
 */

const COMMA = 0x2c;
const NEWLINE = 0x0a;
const ZERO = 0x30;
/** no field written here is longer (a double's shortest text is at most 24 characters) */
const FIELD_ROOM = 32;

export class CsvRows {
  private buffer: Buffer;
  private at = 0;
  private isRowStart = true;

  /** `size`: bytes buffered before `isFull` says the rows should be taken */
  constructor(private readonly size = 1 << 20) {
    this.buffer = Buffer.allocUnsafe(size + 4096);
  }

  private separate(): void {
    if (this.isRowStart) this.isRowStart = false;
    else this.buffer[this.at++] = COMMA;
    if (this.at + FIELD_ROOM >= this.buffer.length) this.grow();
  }

  private grow(): void {
    const larger = Buffer.allocUnsafe(this.buffer.length * 2);
    this.buffer.copy(larger, 0, 0, this.at);
    this.buffer = larger;
  }

  /** A number field, exactly as `String(value)` writes it; null is an empty field (NULL). */
  number(value: number | null): void {
    this.separate();
    if (value === null) return;
    // most fields of a staged row are small numbers (dimension numbers, flags, offsets): one digit
    // needs no counting
    if (value >= 0 && value < 10 && (value | 0) === value) {
      this.buffer[this.at++] = ZERO + value;
      return;
    }
    if (value >= 0 && value <= Number.MAX_SAFE_INTEGER && Number.isInteger(value)) {
      // digits without a string per value; times (13 digits) as two parts that fit 32-bit integers
      if (value < 100_000_000) {
        this.digits(value, 0);
      } else {
        const high = Math.floor(value / 100_000_000);
        this.digits(high, 0);
        this.digits(value - high * 100_000_000, 8);
      }
      return;
    }
    this.at += this.buffer.write(String(value), this.at, 'latin1');
  }

  /** `value` (below 10^8) in decimal, left-padded with zeros to `width` digits */
  private digits(value: number, width: number): void {
    let count = value < 100 ? (value < 10 ? 1 : 2) : value < 10_000 ? (value < 1000 ? 3 : 4) : value < 1_000_000 ? (value < 100_000 ? 5 : 6) : value < 10_000_000 ? 7 : 8;
    if (count < width) count = width;
    let rest = value;
    for (let index = this.at + count - 1; index >= this.at; index -= 1) {
      this.buffer[index] = ZERO + (rest % 10);
      rest = (rest / 10) | 0;
    }
    this.at += count;
  }

  /** Ends the row; true when the buffer holds `size` bytes or more (time to `take` them). */
  endRow(): boolean {
    if (this.at + 1 >= this.buffer.length) this.grow();
    this.buffer[this.at++] = NEWLINE;
    this.isRowStart = true;
    return this.at >= this.size;
  }

  /** The rows written so far (a buffer of their own: the next rows go into a fresh one). */
  take(): Buffer {
    const rows = this.buffer.subarray(0, this.at);
    this.buffer = Buffer.allocUnsafe(this.size + 4096);
    this.at = 0;
    this.isRowStart = true;
    return rows;
  }
}
