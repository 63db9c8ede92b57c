import type { Component } from 'svelte';
import type { ClientMessage } from '../../../protocol/index.ts';
import type { WorkbenchState } from '../core/state.ts';
import type { WorkbenchSession } from './session.svelte.ts';
import type { Layout } from './layout.svelte.ts';

/** What an editor tab shows: a type (which editor draws it) and an id unique among tabs. */
export interface EditorInput {
  readonly type: string;
  readonly id: string;
  readonly title: string;
  readonly params?: Readonly<Record<string, string>>;
}

export interface ActivityContribution {
  readonly id: string;
  readonly title: string;
  /** SVG path data for a 24x24 icon. */
  readonly icon: string;
  readonly order: number;
}

export interface ViewContribution {
  readonly id: string;
  readonly title: string;
  /** `sidebar` views belong to an activity; `panel` views are tabs of the bottom panel. */
  readonly location: 'sidebar' | 'panel' | 'editor-banner';
  readonly activity?: string;
  readonly order: number;
  readonly component: Component;
  /** A small count shown beside the title (e.g. problems). */
  readonly badge?: (state: WorkbenchState) => number;
}

export interface EditorContribution {
  readonly type: string;
  readonly component: Component<{ input: EditorInput }>;
}

/** Services a command may use; built by the workbench, handed to every `run`. */
export interface CommandContext {
  /** The live state (not a replay's): what the bot commands act on. */
  readonly session: WorkbenchSession;
  readonly layout: Layout;
  readonly state: () => WorkbenchState;
  readonly send: (message: ClientMessage) => boolean;
  readonly openEditor: (input: EditorInput) => void;
  readonly pick: (placeholder: string, items: readonly PickItem[]) => Promise<string | undefined>;
  readonly confirm: (message: string) => Promise<boolean>;
  readonly notify: (message: string, kind?: 'info' | 'error') => void;
  readonly runCommand: (id: string) => Promise<void>;
}

export interface PickItem {
  readonly id: string;
  readonly label: string;
  readonly detail?: string;
}

export interface CommandContribution {
  readonly id: string;
  readonly title: string;
  readonly category: string;
  /** e.g. `Ctrl+Shift+P`, `F1`, `Ctrl+Alt+S`. */
  readonly keybinding?: readonly string[];
  /** Dangerous commands say what will happen; the palette asks before running them. */
  readonly dangerous?: boolean;
  readonly run: (ctx: CommandContext) => void | Promise<void>;
}

/**
 * Features register themselves here from their `*.contribution.ts`; the workbench only reads
 * the registry, so it never imports a feature.
 */
export class Registry {
  readonly activities: ActivityContribution[] = [];
  readonly views: ViewContribution[] = [];
  readonly editors = new Map<string, EditorContribution>();
  readonly commands = new Map<string, CommandContribution>();

  registerActivity(activity: ActivityContribution): void {
    this.activities.push(activity);
    this.activities.sort((a, b) => a.order - b.order);
  }

  registerView(view: ViewContribution): void {
    this.views.push(view);
    this.views.sort((a, b) => a.order - b.order);
  }

  registerEditor(editor: EditorContribution): void {
    this.editors.set(editor.type, editor);
  }

  registerCommand(command: CommandContribution): void {
    if (this.commands.has(command.id)) throw new Error(`command "${command.id}" registered twice`);
    this.commands.set(command.id, command);
  }

  viewsAt(location: ViewContribution['location'], activity?: string): ViewContribution[] {
    return this.views.filter((v) => v.location === location && (activity === undefined || v.activity === activity));
  }
}

export const registry = new Registry();

/** Normalises a keyboard event to the keybinding spelling (`Ctrl+Shift+P`). */
export function keyOf(e: KeyboardEvent): string {
  const parts: string[] = [];
  if (e.ctrlKey || e.metaKey) parts.push('Ctrl');
  if (e.altKey) parts.push('Alt');
  if (e.shiftKey) parts.push('Shift');
  // The space bar reports " ": bindings spell it "Space" (Ctrl+Alt+Space).
  const key = e.key === ' ' ? 'Space' : e.key.length === 1 ? e.key.toUpperCase() : e.key;
  if (!['Control', 'Shift', 'Alt', 'Meta'].includes(e.key)) parts.push(key);
  return parts.join('+');
}
