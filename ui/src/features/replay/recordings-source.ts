/** A recording the server offers. */
export interface RecordingInfo {
  readonly name: string;
  readonly size?: number;
  readonly events?: number;
  readonly modified?: string;
  /** The file holds no events (zero bytes, or a byte-order mark and blank lines): nothing to replay. */
  readonly empty?: boolean;
}

/**
 * Reads the server's recordings list in the shapes it may take: a list of names, a list of
 * objects with a `name`, or either under a `recordings` key.
 */
export function parseRecordingList(body: unknown): RecordingInfo[] {
  const list = Array.isArray(body) ? body : (body as { recordings?: unknown } | null)?.recordings;
  if (!Array.isArray(list)) return [];
  const out: RecordingInfo[] = [];
  for (const item of list) {
    if (typeof item === 'string') out.push({ name: item });
    else if (item && typeof item === 'object' && typeof (item as { name?: unknown }).name === 'string') {
      const r = item as Record<string, unknown>;
      out.push({
        name: r.name as string,
        size: typeof r.size === 'number' ? r.size : typeof r.bytes === 'number' ? r.bytes : undefined,
        events: typeof r.events === 'number' ? r.events : undefined,
        modified: typeof r.modified === 'string' ? r.modified : typeof r.mtime === 'string' ? r.mtime : undefined,
        ...(r.empty === true ? { empty: true } : {}),
      });
    }
  }
  return out;
}

/** A recording fetched over the socket may come as JSONL text or as an array of events. */
export function recordingText(body: unknown): string | null {
  if (typeof body === 'string') return body;
  const inner = (body as { events?: unknown; jsonl?: unknown; content?: unknown } | null) ?? null;
  const value = Array.isArray(body) ? body : inner?.events ?? inner?.jsonl ?? inner?.content;
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((e) => JSON.stringify(e)).join('\n');
  return null;
}
