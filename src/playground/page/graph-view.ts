/**
 * A model's graph (`GET /graphs/{model}`, LangGraph's `getGraph()`) as a small SVG: nodes
 * in rows by their distance from `__start__`, `__end__` last; edges down as lines, edges
 * back up (loops) as curves on the right, edges that skip rows as curves on the left,
 * conditional edges dashed. The running node is
 * highlighted as its step arrives, and the nodes an answer went through stay marked.
 */
import { svg } from "./dom.js";

export interface GraphJson {
  model: string;
  nodes: { id: string; name: string }[];
  edges: { source: string; target: string; conditional: boolean }[];
}

const START = "__start__";
const END = "__end__";
const ROW = 64;
const NODE_HEIGHT = 28;
const GAP = 24;
const CHAR_WIDTH = 7.5;
const MARGIN = 16;
/** Room beside the nodes for curved edges. */
const SIDE = 48;

interface Box {
  id: string;
  label: string;
  x: number;
  y: number;
  width: number;
}

/** Each node's row: the fewest edges from `__start__`; `__end__` below all others. */
function rows(graph: GraphJson): Map<string, number> {
  const row = new Map<string, number>([[START, 0]]);
  const queue = [START];
  while (queue.length) {
    const source = queue.shift()!;
    for (const edge of graph.edges) {
      if (edge.source !== source || row.has(edge.target) || edge.target === END) continue;
      row.set(edge.target, row.get(source)! + 1);
      queue.push(edge.target);
    }
  }
  const deepest = Math.max(0, ...row.values());
  // A node nothing reaches from the start still gets a row, under the rest.
  for (const node of graph.nodes) if (!row.has(node.id) && node.id !== END) row.set(node.id, deepest + 1);
  row.set(END, Math.max(...row.values()) + 1);
  return row;
}

function layout(graph: GraphJson): { boxes: Map<string, Box>; width: number; height: number } {
  const row = rows(graph);
  const byRow = new Map<number, { id: string; name: string }[]>();
  for (const node of graph.nodes) byRow.set(row.get(node.id)!, [...(byRow.get(row.get(node.id)!) ?? []), node]);
  const label = (node: { id: string; name: string }) => node.name.replace(/^__(start|end)__$/, "$1");
  const widthOf = (node: { id: string; name: string }) => Math.max(56, label(node).length * CHAR_WIDTH + 24);
  const rowWidths = [...byRow.values()].map((nodes) => nodes.reduce((sum, node) => sum + widthOf(node), 0) + GAP * (nodes.length - 1));
  // Room on each side for the curves of edges that go back up or skip rows.
  const width = Math.max(...rowWidths, 120) + 2 * MARGIN + 2 * SIDE;
  const boxes = new Map<string, Box>();
  for (const [index, nodes] of byRow) {
    const total = nodes.reduce((sum, node) => sum + widthOf(node), 0) + GAP * (nodes.length - 1);
    let x = (width - total) / 2;
    for (const node of nodes) {
      boxes.set(node.id, { id: node.id, label: label(node), x, y: MARGIN + index * ROW, width: widthOf(node) });
      x += widthOf(node) + GAP;
    }
  }
  const height = MARGIN * 2 + (Math.max(...row.values()) * ROW + NODE_HEIGHT);
  return { boxes, width, height };
}

function edgePath(from: Box, to: Box, rowsApart: number): string {
  if (from.id === to.id) {
    const x = from.x + from.width;
    const y = from.y + NODE_HEIGHT / 2;
    return `M ${x} ${y - 6} C ${x + 30} ${y - 24}, ${x + 30} ${y + 24}, ${x} ${y + 6}`;
  }
  if (rowsApart === 1) return `M ${from.x + from.width / 2} ${from.y + NODE_HEIGHT} L ${to.x + to.width / 2} ${to.y}`;
  if (rowsApart > 1) {
    // Past the rows between: around the left of them, so the line crosses no node.
    const bend = Math.min(from.x, to.x) - 36;
    return `M ${from.x} ${from.y + NODE_HEIGHT / 2} C ${bend} ${from.y + NODE_HEIGHT / 2}, ${bend} ${to.y + NODE_HEIGHT / 2}, ${to.x} ${to.y + NODE_HEIGHT / 2}`;
  }
  // Back up (a loop) or sideways: around the right of both.
  const startX = from.x + from.width;
  const endX = to.x + to.width;
  const bend = Math.max(startX, endX) + 36;
  return `M ${startX} ${from.y + NODE_HEIGHT / 2} C ${bend} ${from.y + NODE_HEIGHT / 2}, ${bend} ${to.y + NODE_HEIGHT / 2}, ${endX} ${to.y + NODE_HEIGHT / 2}`;
}

export class GraphView {
  private readonly nodes = new Map<string, SVGGElement>();

  constructor(private readonly host: HTMLElement) {}

  draw(graph: GraphJson): void {
    const { boxes, width, height } = layout(graph);
    this.nodes.clear();
    const marker = svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" }, svg("path", { d: "M 0 0 L 10 5 L 0 10 z" }));
    const edges = graph.edges.flatMap((edge) => {
      const from = boxes.get(edge.source);
      const to = boxes.get(edge.target);
      if (!from || !to) return [];
      return [svg("path", { class: edge.conditional ? "edge conditional" : "edge", d: edgePath(from, to, Math.round((to.y - from.y) / ROW)), "marker-end": "url(#arrow)" })];
    });
    const nodes = [...boxes.values()].map((box) => {
      const special = box.id === START || box.id === END;
      const group = svg(
        "g",
        { class: special ? "node terminal" : "node", "data-node": box.id },
        svg("rect", { x: box.x, y: box.y, width: box.width, height: NODE_HEIGHT, rx: special ? 14 : 6 }),
        svg("text", { x: box.x + box.width / 2, y: box.y + NODE_HEIGHT / 2, "dominant-baseline": "central", "text-anchor": "middle" }, box.label),
      );
      this.nodes.set(box.id, group);
      return group;
    });
    const title = svg("title", {}, `The graph of ${graph.model}`);
    const drawing = svg(
      "svg",
      { viewBox: `0 0 ${width} ${height}`, width, height, role: "img", "aria-label": `Graph of ${graph.model}: ${graph.nodes.map((node) => node.name).join(", ")}` },
      title,
      svg("defs", {}, marker),
      ...edges,
      ...nodes,
    );
    this.host.replaceChildren(drawing);
  }

  /** A new answer: no node has run yet. */
  reset(): void {
    for (const node of this.nodes.values()) node.classList.remove("running", "visited", "waiting");
  }

  /** `name` runs now; the node that ran before it stays marked as visited. */
  running(name: string): void {
    for (const node of this.nodes.values()) {
      if (node.classList.contains("running")) node.classList.replace("running", "visited");
    }
    const node = this.nodes.get(name);
    node?.classList.remove("visited");
    node?.classList.add("running");
  }

  /** The answer ended; the thread waits at `waitingAt` (an interrupt), if anywhere. */
  finished(waitingAt?: string): void {
    for (const [id, node] of this.nodes) {
      node.classList.replace("running", "visited");
      node.classList.toggle("waiting", id === waitingAt);
    }
  }
}
