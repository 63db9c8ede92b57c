const KEY = 'tradeloom.recentCommands.v1';
const KEEP = 10;

/** Command ids run from the palette, most recent first, kept across reloads (as VS Code does). */
export function recentCommands(): string[] {
  try {
    const list = JSON.parse(localStorage.getItem(KEY) ?? '[]') as unknown;
    return Array.isArray(list) ? list.filter((id): id is string => typeof id === 'string') : [];
  } catch {
    return [];
  }
}

export function rememberCommand(id: string): void {
  const next = [id, ...recentCommands().filter((c) => c !== id)].slice(0, KEEP);
  try {
    localStorage.setItem(KEY, JSON.stringify(next));
  } catch {
    /* private mode: nothing remembered */
  }
}
