/**
 * The playground's opened recording, if any: opening one (files picked or
 * dropped, or a URL) replaces the simulator's views with its replay;
 * closing it brings them back. A file that is not a recording leaves the
 * simulator as it was and says why (`error`).
 */
import type { Opened } from './openRecording.js';
import { openRecordingFiles, openRecordingUrl } from './openRecording.js';
import type { RecordingClient } from './RecordingClient.svelte.js';

export class RecordingSlot {
  current = $state<RecordingClient | null>(null);
  error = $state<string | null>(null);

  /** `beforeShow` runs when a recording is about to replace the simulator (pause it, end a tour). */
  constructor(private readonly beforeShow: () => void) {}

  async openFiles(files: readonly File[]): Promise<void> {
    this.#show(await openRecordingFiles(files));
  }

  async openUrl(url: string): Promise<boolean> {
    this.#show(await openRecordingUrl(url));
    return this.current !== null;
  }

  /** A drop of files on the page opens them; anything else is left to the page. */
  onDrop(event: DragEvent): void {
    const files = [...(event.dataTransfer?.files ?? [])];
    if (files.length === 0) return;
    event.preventDefault();
    void this.openFiles(files);
  }

  close(): void {
    this.current = null;
    const params = new URLSearchParams(location.search);
    params.delete('recording');
    history.replaceState(null, '', params.size ? `?${params}` : location.pathname);
  }

  #show(opened: Opened): void {
    if (!opened.ok) {
      this.error = opened.error;
      return;
    }
    this.beforeShow();
    this.error = null;
    this.current = opened.client;
  }
}
