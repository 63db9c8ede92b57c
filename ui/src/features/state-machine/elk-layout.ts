import ELK from 'elkjs/lib/elk.bundled.js';
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api.js';
import type { SymbolTransition } from '../../../../protocol/index.ts';

export interface NodeBox {
  readonly id: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface LabelBox {
  readonly text: string;
  /** The text wrapped to the box's width, one entry per line. */
  readonly lines: readonly string[];
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface EdgePath {
  readonly from: string;
  readonly to: string;
  readonly labels: readonly string[];
  readonly events: readonly string[];
  /** SVG path data of the routed edge. */
  readonly d: string;
  readonly label: LabelBox;
}

export interface DiagramLayout {
  readonly nodes: readonly NodeBox[];
  readonly edges: readonly EdgePath[];
  readonly width: number;
  readonly height: number;
}

/** Layout units are SVG user units; the text sizes the component draws with. */
export const NODE_FONT = 14;
export const LABEL_FONT = 12;
/** The smallest on-screen size of an edge label: a diagram scrolls rather than go below it. */
export const MIN_LABEL_PX = 11;
const CHAR_W = { [NODE_FONT]: 8.4, [LABEL_FONT]: 6.9 } as const;
const NODE_H = 34;
const LINE_H = 15;
/** Long labels wrap, so that a layer is not as wide as its longest sentence. */
const WRAP = 14;

/** Greedy word wrap at `WRAP` characters (a longer single word keeps its own line). */
export function wrapLabel(text: string): string[] {
  const lines: string[] = [];
  for (const word of text.split(' ')) {
    const last = lines[lines.length - 1];
    if (last !== undefined && last.length + 1 + word.length <= WRAP) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines;
}

const elk = new ELK();

/**
 * Lays out a state machine given as data with ELK's layered algorithm (layers by the flow of
 * transitions, crossings minimised, orthogonal routing) and lets it place every edge label
 * beside its edge without overlaps. Transitions between the same two states share one edge
 * and one label ("signal / rejected").
 *
 * @example
 * const layout = await layoutMachine(SYMBOL_STATES, SYMBOL_TRANSITIONS);
 */
export async function layoutMachine(states: readonly string[], transitions: readonly SymbolTransition[]): Promise<DiagramLayout> {
  const merged = new Map<string, { from: string; to: string; labels: string[]; events: string[] }>();
  for (const t of transitions) {
    const key = `${t.from}->${t.to}`;
    const e = merged.get(key) ?? { from: t.from, to: t.to, labels: [], events: [] };
    if (!e.labels.includes(t.label)) e.labels.push(t.label);
    e.events.push(t.event);
    merged.set(key, e);
  }
  const list = [...merged.values()];
  const graph: ElkNode = {
    id: 'machine',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.edgeRouting': 'ORTHOGONAL',
      'elk.layered.spacing.nodeNodeBetweenLayers': '22',
      'elk.layered.spacing.edgeNodeBetweenLayers': '10',
      'elk.layered.spacing.edgeEdgeBetweenLayers': '7',
      'elk.spacing.nodeNode': '16',
      'elk.spacing.edgeEdge': '7',
      'elk.spacing.edgeNode': '10',
      'elk.spacing.edgeLabel': '3',
      'elk.spacing.labelLabel': '4',
      'elk.edgeLabels.placement': 'CENTER',
      'elk.layered.edgeLabels.sideSelection': 'SMART_DOWN',
      'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
      // Break the machine's cycles (every state can stop back to idle) by the states' own order: idle first.
      'elk.layered.cycleBreaking.strategy': 'MODEL_ORDER',
      'elk.padding': '[top=12,left=12,bottom=12,right=12]',
    },
    children: states.map((id) => ({ id, width: Math.max(84, id.length * CHAR_W[NODE_FONT] + 28), height: NODE_H })),
    edges: list.map((e, i): ElkExtendedEdge => {
      const lines = wrapLabel(e.labels.join(' / '));
      return {
        id: `e${i}`, sources: [e.from], targets: [e.to],
        labels: [{ text: e.labels.join(' / '), width: Math.max(...lines.map((l) => l.length)) * CHAR_W[LABEL_FONT] + 6, height: lines.length * LINE_H + 2 }],
      };
    }),
  };
  const out = await elk.layout(graph);
  const nodes = (out.children ?? []).map((n) => ({ id: n.id, x: n.x ?? 0, y: n.y ?? 0, width: n.width ?? 0, height: n.height ?? 0 }));
  const edges = (out.edges ?? []).map((edge, i): EdgePath => {
    const points: { x: number; y: number }[] = [];
    for (const s of edge.sections ?? []) points.push(s.startPoint, ...(s.bendPoints ?? []), s.endPoint);
    const label = edge.labels?.[0];
    return {
      ...list[i],
      d: points.map((p, k) => `${k === 0 ? 'M' : 'L'} ${p.x} ${p.y}`).join(' '),
      label: { text: label?.text ?? '', lines: wrapLabel(label?.text ?? ''), x: label?.x ?? 0, y: label?.y ?? 0, width: label?.width ?? 0, height: label?.height ?? 0 },
    };
  });
  return { nodes, edges, width: out.width ?? 0, height: out.height ?? 0 };
}

let shared: Promise<DiagramLayout> | null = null;

/** The symbol machine's layout, computed once per page (it is the same machine for every symbol). */
export function symbolMachineLayout(states: readonly string[], transitions: readonly SymbolTransition[]): Promise<DiagramLayout> {
  shared ??= layoutMachine(states, transitions);
  return shared;
}
