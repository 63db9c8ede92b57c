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

  /**
   * Null while this process still holds the lock. A deleted lock file is taken again; one that
   * another running process now holds is lost: the reason, so the journal stops taking writes
   * (two processes must never write one account).
   */
  check(): string | null {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return `cannot read the lock ${this.path}: ${(err as Error).message}`;
      try {
        writeFileSync(this.path, `${process.pid}\n`, { flag: 'wx' });
        return null;
      } catch (again) {
        return `the lock ${this.path} was deleted and cannot be taken again: ${(again as Error).message}`;
      }
    }
    const holder = Number(text.trim());
    if (holder === process.pid) return null;
    if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) return `lock lost: ${this.path} is now held by process ${holder}; stop one of the two servers on this data dir`;
    try {
      writeFileSync(this.path, `${process.pid}\n`);
      return null;
    } catch (err) {
      return `the lock ${this.path} cannot be taken again: ${(err as Error).message}`;
    }
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
