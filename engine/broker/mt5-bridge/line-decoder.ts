import { StringDecoder } from 'node:string_decoder';

/** A complete line taken off the socket, with its 1-based number on that connection. */
export interface ReceivedLine {
  readonly text: string;
  readonly lineNumber: number;
}

/** A peer sent a line over the size limit: the session cannot be trusted to resynchronise. */
export class LineTooLongError extends Error {
  override readonly name = 'LineTooLongError';
}

/**
 * Splits a TCP byte stream into newline-delimited lines. TCP delivers bytes, not messages: one
 * `data` event may hold half a line, several lines, or end inside a multi-byte UTF-8 character,
 * so the tail is buffered until its newline arrives. A line longer than `maxLineBytes` is
 * reported as an error instead of growing the buffer without bound.
 */
export class LineDecoder {
  private readonly text = new StringDecoder('utf8');
  private tail = '';
  private lineNumber = 0;

  constructor(private readonly maxLineBytes = 1 << 20) {}

  /** Feeds one chunk; returns the lines it completed (without `\n` or a trailing `\r`). */
  push(chunk: Buffer): ReceivedLine[] {
    const lines: ReceivedLine[] = [];
    let buffered = this.tail + this.text.write(chunk);
    let newline = buffered.indexOf('\n');
    while (newline >= 0) {
      let line = buffered.slice(0, newline);
      if (line.endsWith('\r')) line = line.slice(0, -1);
      this.lineNumber += 1;
      // A complete line is held to the same cap as an unfinished one: the cap is a promise about
      // message size, not about how the bytes happened to arrive.
      if (line.length > this.maxLineBytes / 4 && Buffer.byteLength(line) > this.maxLineBytes) {
        this.tail = '';
        throw new LineTooLongError(`line ${this.lineNumber} has ${Buffer.byteLength(line)} bytes, over the ${this.maxLineBytes}-byte limit`);
      }
      if (line.trim() !== '') lines.push({ text: line, lineNumber: this.lineNumber });
      buffered = buffered.slice(newline + 1);
      newline = buffered.indexOf('\n');
    }
    if (Buffer.byteLength(buffered) > this.maxLineBytes) {
      this.tail = '';
      throw new LineTooLongError(`line ${this.lineNumber + 1} exceeds ${this.maxLineBytes} bytes without a newline`);
    }
    this.tail = buffered;
    return lines;
  }

  /** Bytes of an unfinished line still waiting for their newline (a peer that died mid-message). */
  pendingText(): string {
    return this.tail;
  }
}
