/**
 * Remembers recently accepted event ids so a beacon retried by the browser is acknowledged
 * without being spooled twice. Two generations bound memory (about 2 × `capacity` ids); ids older
 * than that are still deduplicated at delivery, against the lake partition.
 */
export class RecentIds {
  private current = new Set<string>();
  private previous = new Set<string>();

  constructor(private readonly capacity = 250_000) {}

  has(id: string): boolean {
    return this.current.has(id) || this.previous.has(id);
  }

  add(id: string): void {
    if (this.current.size >= this.capacity) {
      this.previous = this.current;
      this.current = new Set();
    }
    this.current.add(id);
  }
}
