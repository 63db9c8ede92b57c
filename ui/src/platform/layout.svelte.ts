import type { EditorInput } from './registry.ts';

const KEY = 'tradeloom.layout.v1';

interface Persisted {
  sidebarWidth: number;
  panelHeight: number;
  sidebarVisible: boolean;
  panelVisible: boolean;
  activity: string;
  panelView: string;
  theme: 'dark' | 'light';
  editors: EditorInput[];
  activeEditor: string | null;
  collapsed: Record<string, boolean>;
}

const DEFAULTS: Persisted = {
  sidebarWidth: 280,
  panelHeight: 260,
  sidebarVisible: true,
  panelVisible: true,
  activity: 'explorer',
  panelView: 'log',
  theme: 'dark',
  editors: [],
  activeEditor: null,
  collapsed: {},
};

function load(): Persisted {
  try {
    const raw = localStorage.getItem(KEY);
    return raw ? { ...DEFAULTS, ...(JSON.parse(raw) as Partial<Persisted>) } : { ...DEFAULTS };
  } catch {
    return { ...DEFAULTS };
  }
}

/** Sizes, visibility, theme and open tabs, kept in localStorage across reloads. */
export class Layout {
  sidebarWidth = $state(DEFAULTS.sidebarWidth);
  panelHeight = $state(DEFAULTS.panelHeight);
  sidebarVisible = $state(true);
  panelVisible = $state(true);
  activity = $state('explorer');
  panelView = $state('log');
  theme = $state<'dark' | 'light'>('dark');
  editors = $state.raw<EditorInput[]>([]);
  activeEditor = $state<string | null>(null);
  collapsed = $state<Record<string, boolean>>({});

  constructor() {
    const p = load();
    this.sidebarWidth = p.sidebarWidth;
    this.panelHeight = p.panelHeight;
    this.sidebarVisible = p.sidebarVisible;
    this.panelVisible = p.panelVisible;
    this.activity = p.activity;
    this.panelView = p.panelView;
    this.theme = p.theme;
    this.editors = p.editors;
    this.activeEditor = p.activeEditor;
    this.collapsed = p.collapsed;
  }

  save(): void {
    const p: Persisted = {
      sidebarWidth: this.sidebarWidth, panelHeight: this.panelHeight, sidebarVisible: this.sidebarVisible,
      panelVisible: this.panelVisible, activity: this.activity, panelView: this.panelView, theme: this.theme,
      editors: this.editors, activeEditor: this.activeEditor, collapsed: { ...this.collapsed },
    };
    try {
      localStorage.setItem(KEY, JSON.stringify(p));
    } catch {
      /* private mode: layout just is not kept */
    }
  }

  openEditor(input: EditorInput): void {
    if (!this.editors.some((e) => e.id === input.id)) this.editors = [...this.editors, input];
    this.activeEditor = input.id;
  }

  closeEditor(id: string): void {
    const index = this.editors.findIndex((e) => e.id === id);
    if (index < 0) return;
    this.editors = this.editors.filter((e) => e.id !== id);
    if (this.activeEditor === id) this.activeEditor = this.editors[Math.min(index, this.editors.length - 1)]?.id ?? null;
  }

  /** Clicking the active activity hides the side bar, as in VS Code. */
  selectActivity(id: string): void {
    if (this.activity === id && this.sidebarVisible) this.sidebarVisible = false;
    else {
      this.activity = id;
      this.sidebarVisible = true;
    }
  }
}
