// Strings decoded from short byte ranges that repeat from record to record (the store host, the
// born host and the topic of the records of one pull): the bytes are compared in place with the
// few seen last, so a repeat costs neither a decode nor an allocation.

export type SpanText = (buf: Buffer, start: number, length: number) => string;

export class RecentText {
  readonly #bytes: Buffer[] = [];
  readonly #texts: string[] = [];
  readonly #decode: (bytes: Buffer) => string;
  readonly #max: number;

  /** `max` bounds what is kept (a hostile body may hold any number of distinct values). */
  constructor(decode: (bytes: Buffer) => string, max = 8) {
    this.#decode = decode;
    this.#max = max;
  }

  readonly textOf: SpanText = (buf, start, length) => {
    for (let i = 0; i < this.#bytes.length; i++) {
      const seen = this.#bytes[i] as Buffer;
      if (seen.length === length && sameBytes(buf, start, seen)) return this.#texts[i] as string;
    }
    // A copy: the caller's buffer may be reused once it is done with it.
    const bytes = Buffer.from(buf.subarray(start, start + length));
    const text = this.#decode(bytes);
    if (this.#bytes.length >= this.#max) {
      this.#bytes.shift();
      this.#texts.shift();
    }
    this.#bytes.push(bytes);
    this.#texts.push(text);
    return text;
  };
}

function sameBytes(buf: Buffer, start: number, seen: Buffer): boolean {
  for (let i = 0; i < seen.length; i++) if (buf[start + i] !== seen[i]) return false;
  return true;
}
