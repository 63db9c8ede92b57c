/** A key an object of a JSON text holds twice: its path and the lines of both. */
export interface DuplicateKey {
  readonly path: string;
  readonly firstLine: number;
  readonly line: number;
}

/**
 * The first key that one object of `text` (valid JSON: call after JSON.parse accepted it)
 * holds twice, or null. JSON.parse keeps the last value without a word, so `"riskPercent": 1`
 * followed further down by `"riskPercent": 50` runs at 50 %: a config file must not say two
 * things. Keys are compared as JSON reads them (escapes decoded).
 *
 * @example
 * firstDuplicateKey('{"bot": {"riskPercent": 1,\n "riskPercent": 50}}'); // { path: 'bot.riskPercent', firstLine: 1, line: 2 }
 */
export function firstDuplicateKey(text: string): DuplicateKey | null {
  // One frame per open object or array: an object's keys seen (with their lines) and the key
  // being read; an array's next index.
  type Frame = { keys: Map<string, number> | null; key: string; index: number; path: string };
  const stack: Frame[] = [];
  let line = 1;
  let expectKey = false;
  const childPath = (f: Frame) => (f.keys ? (f.path ? `${f.path}.${f.key}` : f.key) : `${f.path}[${f.index}]`);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      line++;
    } else if (c === 34) {
      // A string: find its end, skipping escaped characters.
      let j = i + 1;
      while (text.charCodeAt(j) !== 34) j += text.charCodeAt(j) === 92 ? 2 : 1;
      const top = stack[stack.length - 1];
      if (expectKey && top?.keys) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        const first = top.keys.get(key);
        if (first !== undefined) return { path: top.path ? `${top.path}.${key}` : key, firstLine: first, line };
        top.keys.set(key, line);
        top.key = key;
        expectKey = false;
      }
      i = j;
    } else if (c === 123 || c === 91) {
      // `{` or `[`: its path is its parent's key or index.
      const parent = stack[stack.length - 1];
      stack.push({ keys: c === 123 ? new Map() : null, key: '', index: 0, path: parent ? childPath(parent) : '' });
      expectKey = c === 123;
    } else if (c === 125 || c === 93) {
      stack.pop();
      expectKey = false;
    } else if (c === 44) {
      // `,`: the next key of an object, the next item of an array.
      const top = stack[stack.length - 1];
      if (top?.keys) expectKey = true;
      else if (top) top.index++;
    }
  }
  return null;
}
