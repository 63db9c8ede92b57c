/**
 * Redis could not be reached: the CLI prints it and exits 2. On its own, without ioredis or
 * BullMQ, so the optimiser loads those only for a run with --queue.
 */
export class QueueUnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueueUnreachableError';
  }
}
