import { decodeLogEvent, type LogEvent } from '../../../protocol/index.ts';

export interface ParsedRecording {
  readonly events: LogEvent[];
  /** One line per problem, naming the source, the line and what was wrong. */
  readonly errors: string[];
}

/**
 * Parses a JSONL session recording: one log event per line. Lines that are not events
 * (headers, server messages) are skipped; bad lines are reported by number, never dropped silently.
 *
 * @example
 * const { events, errors } = parseRecording(await file.text(), file.name);
 */
export function parseRecording(text: string, source = 'recording'): ParsedRecording {
  const events: LogEvent[] = [];
  const errors: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (err) {
      errors.push(`${source}:${i + 1}: malformed JSON: ${(err as Error).message}`);
      continue;
    }
    if (typeof json !== 'object' || json === null || !('event_type' in json)) continue;
    const decoded = decodeLogEvent(json);
    if (decoded.ok) events.push(decoded.value);
    else errors.push(`${source}:${i + 1}: ${decoded.error}${decoded.details.length ? ` (${decoded.details[0]})` : ''}`);
  }
  return { events, errors };
}
