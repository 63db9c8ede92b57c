import { readFileSync, rmSync, writeFileSync } from 'node:fs';

/**
 * One process per journal: two bots on one data dir would each trade "the" account. A pid
 * file, created exclusively; a lock left by a killed process (kill -9) is stale and taken over.
 */
export class JournalLock {
  private constructor(private readonly path: string) {}

  /** Takes the lock or throws, naming the process that holds it. */
  static acquire(path: string): JournalLock {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(readFileSync(path, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
        throw new Error(`${path} is held by running process ${holder}: another tradeloom server uses this data dir`);
      }
      writeFileSync(path, `${process.pid}\n`);
    }
    return new JournalLock(path);
  }

  release(): void {
    rmSync(this.path, { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else, so it is alive.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
