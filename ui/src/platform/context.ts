import { getContext, setContext } from 'svelte';
import type { WorkbenchSession } from './session.svelte.ts';
import type { Layout } from './layout.svelte.ts';
import type { QuickInput } from './quick-input.svelte.ts';
import type { CommandContext } from './registry.ts';

/** The workbench's services, shared with every part and feature view through context. */
export interface Services {
  readonly session: WorkbenchSession;
  readonly layout: Layout;
  readonly quick: QuickInput;
  readonly commands: CommandRunner;
}

export interface CommandRunner {
  run(id: string): Promise<void>;
  readonly context: CommandContext;
}

const SERVICES = Symbol('tradeloom.services');

export function setServices(services: Services): void {
  setContext(SERVICES, services);
}

export function getServices(): Services {
  const services = getContext<Services | undefined>(SERVICES);
  if (!services) throw new Error('getServices() called outside the workbench');
  return services;
}
