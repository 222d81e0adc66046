/**
 * RecordIO, the framing of Mesos's streaming HTTP responses: each record is
 * `<byte length>\n<bytes>`. The encoder makes one buffer per record so that
 * a record goes out in one write; the decoder takes chunks as they arrive
 * and yields whole records, refusing absurd lengths (a limit on everything).
 */

export const RECORD_BYTES_MAX = 64 * 2 ** 20;

/** One record: the length line and single-line JSON together. */
export function encodeRecord(value: unknown): Buffer {
  const json = Buffer.from(JSON.stringify(value), 'utf8');
  return Buffer.concat([Buffer.from(`${json.length}\n`, 'ascii'), json]);
}

export class RecordIoDecoder {
  #buffer: Buffer = Buffer.alloc(0);
  readonly #maxBytes: number;

  constructor(maxBytes = RECORD_BYTES_MAX) {
    this.#maxBytes = maxBytes;
  }

  /** Feeds a chunk; returns the records it completed (as text). Throws on a malformed length line. */
  push(chunk: Uint8Array): string[] {
    this.#buffer = this.#buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.#buffer, chunk]);
    const records: string[] = [];
    for (;;) {
      const newline = this.#buffer.indexOf(0x0a);
      if (newline < 0) {
        if (this.#buffer.length > 20) throw new Error('RecordIO: length line too long');
        return records;
      }
      const lengthText = this.#buffer.subarray(0, newline).toString('ascii');
      if (!/^\d{1,20}$/.test(lengthText)) throw new Error(`RecordIO: bad length line "${lengthText.slice(0, 40)}"`);
      const length = Number(lengthText);
      if (length > this.#maxBytes) throw new Error(`RecordIO: record of ${length} bytes exceeds ${this.#maxBytes}`);
      if (this.#buffer.length < newline + 1 + length) return records;
      records.push(this.#buffer.subarray(newline + 1, newline + 1 + length).toString('utf8'));
      this.#buffer = this.#buffer.subarray(newline + 1 + length);
    }
  }
}
