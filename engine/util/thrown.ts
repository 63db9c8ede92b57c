const MAX_SHOWN = 200;

/** A value as a short text for a message, whatever it is (never throws). */
export function shown(value: unknown): string {
  let text: string;
  try {
    if (typeof value === 'string') text = JSON.stringify(value);
    else if (typeof value === 'bigint') text = `${value}n`;
    else if (typeof value === 'symbol' || typeof value === 'function') text = String(value);
    else if (typeof value === 'number' || typeof value === 'boolean' || value === undefined || value === null) text = String(value);
    else text = JSON.stringify(value) ?? Object.prototype.toString.call(value);
  } catch {
    text = safeTag(value);
  }
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}...` : text;
}

function safeTag(value: unknown): string {
  try {
    return Object.prototype.toString.call(value);
  } catch {
    return typeof value;
  }
}

/**
 * What a plugin threw, as a message and a traceback, whatever it threw: an Error, a string, null,
 * an object without a prototype, or one whose `message` getter throws. Never throws itself.
 */
export function describeThrown(err: unknown): { message: string; stack: string } {
  try {
    if (err instanceof Error) {
      const message = typeof err.message === 'string' ? err.message : shown(err.message);
      const stack = typeof err.stack === 'string' ? err.stack : message;
      return { message, stack };
    }
  } catch {
    // A getter or a proxy that throws: described below as a value.
  }
  const message = typeof err === 'string' ? err : `${shown(err)} (not an Error)`;
  return { message: message.length > 2000 ? `${message.slice(0, 2000)}...` : message, stack: '' };
}
