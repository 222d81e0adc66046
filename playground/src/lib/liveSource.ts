/**
 * What the connected-mode views (shares, offers, explain) read: a live
 * master (MasterClient) or a recorded one at the moment the timeline shows
 * (RecordingClient). Both fill the same shapes: the master's cluster
 * picture (its live stream's `snapshot`) and GET /explain/matrix's JSON.
 */
import type { LiveEvent, LiveMatrix, LiveSnapshot, LiveTask, SharePoint } from './MasterClient.svelte.js';

export interface LiveSource {
  readonly snapshot: LiveSnapshot | null;
  readonly tasks: LiveTask[];
  readonly events: LiveEvent[];
  readonly shareHistory: SharePoint[];
  readonly offersPerSnapshot: { nowMs: number; offers: number }[];
  readonly matrix: LiveMatrix | null;
  readonly matrixFramework: string | null;
  readonly matrixCells: LiveMatrix['cells'];
  readonly matrixError: string | null;
  pickMatrixFramework(frameworkId: string): void;
}
