import type { SymbolTransition } from '../../../../protocol/index.ts';

export interface NodeBox {
  readonly id: string;
  readonly x: number;
  readonly y: number;
}

export interface EdgePath {
  readonly from: string;
  readonly to: string;
  readonly labels: readonly string[];
  readonly events: readonly string[];
  readonly d: string;
  readonly labelX: number;
  readonly labelY: number;
}

export interface DiagramLayout {
  readonly nodes: readonly NodeBox[];
  readonly edges: readonly EdgePath[];
  readonly width: number;
  readonly height: number;
}

export const NODE_W = 96;
export const NODE_H = 30;
const COL = 200;
const ROW = 50;
/** Room under the nodes for edges that jump back over a column. */
const BELOW = 70;

/**
 * Lays out a state machine given as data: columns by distance from the initial state, edges
 * between the same pair of states merged, reverse edges bent to the other side. A view in the
 * lightweight-charts sense: plain data, the component only draws it.
 *
 * @example
 * const layout = layoutMachine(SYMBOL_STATES, SYMBOL_TRANSITIONS, 'idle');
 */
export function layoutMachine(states: readonly string[], transitions: readonly SymbolTransition[], initial: string): DiagramLayout {
  const depth = new Map<string, number>([[initial, 0]]);
  const queue = [initial];
  while (queue.length) {
    const s = queue.shift()!;
    for (const t of transitions) {
      if (t.from === s && !depth.has(t.to)) {
        depth.set(t.to, depth.get(s)! + 1);
        queue.push(t.to);
      }
    }
  }
  for (const s of states) if (!depth.has(s)) depth.set(s, 1);
  const columns = new Map<number, string[]>();
  for (const s of states) {
    const d = depth.get(s)!;
    columns.set(d, [...(columns.get(d) ?? []), s]);
  }
  const tallest = Math.max(...[...columns.values()].map((c) => c.length));
  const nodesHeight = tallest * ROW + 20;
  const height = nodesHeight + BELOW;
  const nodes: NodeBox[] = [];
  for (const [d, column] of columns) {
    column.forEach((s, i) => {
      nodes.push({ id: s, x: 20 + d * COL, y: nodesHeight / 2 + (i - (column.length - 1) / 2) * ROW - NODE_H / 2 });
    });
  }
  const at = new Map(nodes.map((n) => [n.id, n]));
  const merged = new Map<string, { from: string; to: string; labels: string[]; events: string[] }>();
  for (const t of transitions) {
    const key = `${t.from}->${t.to}`;
    const e = merged.get(key) ?? { from: t.from, to: t.to, labels: [], events: [] };
    if (!e.labels.includes(t.label)) e.labels.push(t.label);
    e.events.push(t.event);
    merged.set(key, e);
  }
  const edges: EdgePath[] = [];
  let lane = 0;
  for (const e of merged.values()) {
    const a = at.get(e.from)!;
    const b = at.get(e.to)!;
    const span = depth.get(e.from)! - depth.get(e.to)!;
    // Jumping back over a column would cross its nodes: route it through the lanes below.
    const path = span > 1 ? underneath(a, b, nodesHeight + 12 + (lane++ % 5) * 11) : pathBetween(a, b, merged.has(`${e.to}->${e.from}`));
    edges.push({ ...e, ...path });
  }
  const width = Math.max(...nodes.map((n) => n.x)) + NODE_W + 90;
  return { nodes, edges, width, height };
}

function pathBetween(a: NodeBox, b: NodeBox, hasReverse: boolean): { d: string; labelX: number; labelY: number } {
  const ax = a.x + NODE_W / 2;
  const ay = a.y + NODE_H / 2;
  if (a === b) {
    // A self-loop above the node.
    const x = a.x + NODE_W / 2;
    const y = a.y;
    return { d: `M ${x - 18} ${y} C ${x - 30} ${y - 40}, ${x + 30} ${y - 40}, ${x + 18} ${y}`, labelX: x, labelY: y - 34 };
  }
  const bx = b.x + NODE_W / 2;
  const by = b.y + NODE_H / 2;
  const dx = bx - ax;
  const dy = by - ay;
  const len = Math.hypot(dx, dy) || 1;
  // Start and end on the box borders, not the centres.
  const clip = (x: number, y: number, ux: number, uy: number) => {
    const tx = Math.abs(ux) > 1e-9 ? NODE_W / 2 / Math.abs(ux) : Infinity;
    const ty = Math.abs(uy) > 1e-9 ? NODE_H / 2 / Math.abs(uy) : Infinity;
    const t = Math.min(tx, ty);
    return [x + ux * t, y + uy * t] as const;
  };
  const ux = dx / len;
  const uy = dy / len;
  const [sx, sy] = clip(ax, ay, ux, uy);
  const [ex, ey] = clip(bx, by, -ux, -uy);
  // Edges inside one column bow outwards (to the right), away from the edges between columns.
  const vertical = Math.abs(dx) < 1;
  const bend = vertical ? -Math.sign(uy) * (len > ROW * 1.5 ? 140 : 56) : hasReverse ? 26 : 10;
  const mx = (sx + ex) / 2 - uy * bend;
  const my = (sy + ey) / 2 + ux * bend;
  return { d: `M ${sx} ${sy} Q ${mx} ${my} ${ex} ${ey}`, labelX: (sx + ex) / 4 + mx / 2, labelY: (sy + ey) / 4 + my / 2 };
}

function underneath(a: NodeBox, b: NodeBox, y: number): { d: string; labelX: number; labelY: number } {
  const sx = a.x + NODE_W / 2;
  const sy = a.y + NODE_H;
  const ex = b.x + NODE_W / 2 + 14;
  const ey = b.y + NODE_H;
  return { d: `M ${sx} ${sy} L ${sx} ${y} L ${ex} ${y} L ${ex} ${ey}`, labelX: sx - 40, labelY: y - 2 };
}
