/** A config problem: names the file (or flag/env) and the field. Exit code 2, no stack. */
export class ConfigError extends Error {
  readonly exitCode = 2;
  constructor(readonly where: string, readonly field: string, readonly problem: string) {
    super(`${where}: ${field ? `${field}: ` : ''}${problem}`);
    this.name = 'ConfigError';
  }
}
