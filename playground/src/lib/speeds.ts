/** The playback speeds the controls offer (simulated seconds per second), slowest first; ] and [ step through them. */
export const SPEEDS = [0.5, 1, 2, 5, 10, 30, 100];
