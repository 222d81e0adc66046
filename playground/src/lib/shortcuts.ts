/**
 * The playground's keyboard shortcuts: Space play/pause, N or . one step,
 * B or , one step back, [ and ] speed, E the editor, G the glossary, ? the
 * key list. Keys typed into a field, or with Ctrl, Cmd or Alt, are the
 * field's or the browser's; Space on a button or slider is that control's.
 */
export type Shortcut = 'play' | 'step' | 'back' | 'slower' | 'faster' | 'editor' | 'glossary' | 'keys';

const KEYS: Record<string, Shortcut> = {
  ' ': 'play',
  n: 'step',
  '.': 'step',
  b: 'back',
  ',': 'back',
  '[': 'slower',
  ']': 'faster',
  e: 'editor',
  g: 'glossary',
  '?': 'keys',
};

/** The shortcut a key press asks for, or null when it is not one (or belongs to what has focus). */
export function shortcutOf(event: KeyboardEvent): Shortcut | null {
  const target = event.target as HTMLElement;
  if (target.closest('input, textarea, select, [contenteditable]') || event.ctrlKey || event.metaKey || event.altKey) return null;
  const shortcut = KEYS[event.key] ?? null;
  if (shortcut === 'play' && target.closest('button, [role="slider"], canvas')) return null;
  return shortcut;
}
