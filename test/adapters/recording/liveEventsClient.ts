/**
 * A client of the master's live event stream (`GET /api/v1/events`) that
 * keeps the `data:` text of every `kernel` event exactly as it arrived.
 */
type Json = Record<string, any>;

export class LiveEventsClient {
  /** The raw JSON text of each `kernel` event, in arrival order. */
  readonly kernelLines: string[] = [];
  readonly snapshots: Json[] = [];
  readonly #abort = new AbortController();
  #reading: Promise<void> | null = null;

  static async attach(masterUrl: string, headers: Record<string, string> = {}): Promise<LiveEventsClient> {
    const client = new LiveEventsClient();
    const response = await fetch(`${masterUrl}/api/v1/events`, { headers, signal: client.#abort.signal });
    if (response.status !== 200) throw new Error(`GET /api/v1/events answered ${response.status}: ${await response.text()}`);
    client.#reading = client.#read(response.body as ReadableStream<Uint8Array>);
    return client;
  }

  async #read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffered = '';
    try {
      for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
        buffered += decoder.decode(chunk, { stream: true });
        let end = buffered.indexOf('\n\n');
        while (end >= 0) {
          this.#message(buffered.slice(0, end));
          buffered = buffered.slice(end + 2);
          end = buffered.indexOf('\n\n');
        }
      }
    } catch {
      // Closed by the test.
    }
  }

  #message(text: string): void {
    const [eventLine, dataLine] = text.split('\n');
    const data = dataLine?.startsWith('data: ') ? dataLine.slice('data: '.length) : '';
    if (eventLine === 'event: kernel') this.kernelLines.push(data);
    else if (eventLine === 'event: snapshot') this.snapshots.push(JSON.parse(data));
  }

  async close(): Promise<void> {
    this.#abort.abort();
    await this.#reading;
  }
}
