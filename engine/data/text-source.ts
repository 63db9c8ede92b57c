import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

/** A data file's decoded text and the name errors should use for it. */
export interface TextSource {
  readonly name: string;
  readonly text: string;
  readonly encoding: 'utf-8' | 'utf-16le' | 'utf-16be';
}

/**
 * Reads a path or decodes a Buffer. MT5's "Export" writes UTF-16LE with a BOM (FF FE); other
 * tools write UTF-8 with or without a BOM (EF BB BF). A UTF-16LE file that lost its BOM is
 * recognised by NUL bytes in the odd positions of an ASCII-heavy start, which is how such text
 * looks and how no UTF-8 text file does.
 *
 * @param name used in error messages; defaults to the file's base name or `<buffer>`.
 */
export function readTextSource(input: Buffer | string, name?: string): TextSource {
  const bytes = typeof input === 'string' ? readFileSync(input) : input;
  const label = name ?? (typeof input === 'string' ? basename(input) : '<buffer>');
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) {
    return { name: label, text: bytes.subarray(2).toString('utf16le'), encoding: 'utf-16le' };
  }
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
    const swapped = Buffer.from(bytes.subarray(2));
    swapped.swap16();
    return { name: label, text: swapped.toString('utf16le'), encoding: 'utf-16be' };
  }
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { name: label, text: bytes.subarray(3).toString('utf8'), encoding: 'utf-8' };
  }
  if (looksLikeUtf16le(bytes)) return { name: label, text: bytes.toString('utf16le'), encoding: 'utf-16le' };
  return { name: label, text: bytes.toString('utf8'), encoding: 'utf-8' };
}

function looksLikeUtf16le(bytes: Buffer): boolean {
  const n = Math.min(bytes.length & ~1, 512);
  if (n < 4) return false;
  let oddZeros = 0;
  for (let i = 1; i < n; i += 2) if (bytes[i] === 0 && bytes[i - 1] !== 0) oddZeros++;
  return oddZeros >= (n / 2) * 0.9;
}

/**
 * Splits text into lines (LF or CRLF), calling `onLine(text, lineNumber)` with 1-based numbers.
 * A trailing empty line (file ending in a newline) is not reported; blank lines inside are,
 * so importers can decide. Stops early when `onLine` returns `false`.
 */
export function forEachLine(text: string, onLine: (line: string, lineNumber: number) => boolean | void): void {
  let start = 0;
  let lineNumber = 0;
  const n = text.length;
  while (start < n) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = n;
    const stop = end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
    lineNumber++;
    if (onLine(text.slice(start, stop), lineNumber) === false) return;
    start = end + 1;
  }
}
