// pathgrad explorer: a rate-factor graph a student can poke.
//
// The page carries the graph as data (pathgrad/drawing/explorer/page_data.py writes it): every node
// with its book name and value, every edge tail → head with its rate factor ∂head/∂tail and
// the formula of that rate. This script only multiplies and adds those stored numbers:
//   * the paths from a node to C, listed, counted and ranked (equations 51-53),
//   * the forward sweep of a nudge Δ (equations 47-50),
//   * the reverse sweep, backpropagation, one node at a time (BP1-BP4).
// Python computed the same numbers; the tests compare the two through a real browser.
// The same file runs in a saved page and as the Jupyter widget's module (anywidget).

const SVG_NS = "http://www.w3.org/2000/svg"; // a namespace name, never fetched
const LIST_ALL_UP_TO = 64; // list every path when there are at most this many
const TOP_K = 10; // otherwise the largest ones
const EDGE_ROWS = 12; // edges listed in the node panel before "… and N more"
const RATE_LABELS_UP_TO = 90; // edges with their rate written on them when not more
const MARGIN = 24; // around the graph, in its own units
const MAX_FIT = 2.5; // a small graph is fitted to its pane up to this scale, no larger
const EDGE_LABEL_SIZE = 13; // font size of the rates on the edges, in the graph's units (css)
const READABLE_PX = 12; // weights and biases are shown at first if their rates stay this big
const NAME_PX = 14; // the names in a big net's view, on screen, whatever the scale
const MIN_PANE = 260; // the graph's pane is never shorter than this (px)

// ------------------------------------------------------------------------------------------
// Arithmetic on the stored rates. Node indices are in topological order, C is the last node;
// edges are grouped by head in that order, so the loops below add in the same order as
// pathgrad's sweeps and give the same floating-point numbers.

export function prepare(level) {
  const n = level.nodes.value.length;
  const { src, dst, rate } = level.edges;
  const into = Array.from({ length: n }, () => []);
  const out = Array.from({ length: n }, () => []);
  for (let e = 0; e < src.length; e++) {
    into[dst[e]].push(e);
    out[src[e]].push(e); // heads come in topological order, as in Graph.children_lists
  }
  return { n, src, dst, rate, into, out, output: n - 1 };
}

// Reverse sweep: adj[C] = 1, then adj[tail] += adj[head] · rate, heads from C backwards.
export function adjoints(g, steps = Infinity) {
  const adj = new Float64Array(g.n);
  adj[g.output] = 1;
  let taken = 0;
  for (let v = g.n - 1; v >= 0 && taken < steps; v--) {
    if (g.into[v].length === 0) continue; // a leaf sends nothing back
    taken += 1;
    const a = adj[v];
    if (a === 0) continue;
    for (const e of g.into[v]) adj[g.src[e]] += a * g.rate[e];
  }
  return adj;
}

// Forward sweep from `start`: tan[v] = ∂v/∂start, carried edge by edge (equations 47-50).
export function tangents(g, start) {
  const tan = new Float64Array(g.n);
  const reached = new Uint8Array(g.n);
  tan[start] = 1;
  reached[start] = 1;
  for (let v = start + 1; v < g.n; v++) {
    let total = 0;
    let moved = false;
    for (const e of g.into[v]) {
      const u = g.src[e];
      if (reached[u]) {
        total += g.rate[e] * tan[u];
        moved = true;
      }
    }
    if (moved) {
      tan[v] = total;
      reached[v] = 1;
    }
  }
  return { tan, reached };
}

// The exact number of paths from `start` to C: n[head] += n[tail], with whole numbers of any size.
export function countPaths(g, start) {
  const count = new Array(g.n).fill(0n);
  count[start] = 1n;
  for (let v = start + 1; v < g.n; v++) {
    for (const e of g.into[v]) count[v] += count[g.src[e]];
  }
  return count[g.output];
}

function makePath(g, edges, start) {
  const nodes = [start, ...edges.map((e) => g.dst[e])];
  const product = edges.reduce((p, e) => p * g.rate[e], 1); // equation 51
  return { nodes, edges, product };
}

// How many paths lead from each node to C: n[tail] += n[head], from C backwards.
export function pathsToOutput(g) {
  const count = new Array(g.n).fill(0n);
  count[g.output] = 1n;
  for (let v = g.n - 1; v >= 0; v--) for (const e of g.out[v]) count[v] += count[g.dst[e]];
  return count;
}

// A path's number: its place, from 1, in listPaths' order (pathgrad.path_numbers gives the
// same), found without listing: 1 + the paths through the edges tried before it at each step.
export function pathNumber(g, path, toOutput) {
  let number = 1n;
  let u = path.nodes[0];
  for (const e of path.edges) {
    for (const f of g.out[u]) {
      if (f === e) break;
      number += toOutput[g.dst[f]];
    }
    u = g.dst[e];
  }
  return number;
}

// Every path from `start` to C, depth first, in the order pathgrad.paths gives them.
export function listPaths(g, start, limit = Infinity) {
  if (start === g.output) return [makePath(g, [], start)];
  const found = [];
  const edges = [];
  const next = [0]; // for each node on the route, which of its edges to try next
  const route = [start];
  while (next.length > 0 && found.length < limit) {
    const u = route[route.length - 1];
    const k = next[next.length - 1];
    if (k >= g.out[u].length) {
      next.pop();
      route.pop();
      edges.pop();
      continue;
    }
    next[next.length - 1] = k + 1;
    const e = g.out[u][k];
    edges.push(e);
    if (g.dst[e] === g.output) {
      found.push(makePath(g, edges.slice(), start));
      edges.pop();
    } else {
      route.push(g.dst[e]);
      next.push(0);
    }
  }
  return found;
}

// best[v]: the largest |product| of a path v → C, by a max-product sweep from C backwards.
export function largestProducts(g) {
  const best = new Float64Array(g.n);
  best[g.output] = 1;
  for (let v = g.n - 1; v >= 0; v--) {
    for (const e of g.into[v]) {
      const through = Math.abs(g.rate[e]) * best[v];
      if (through > best[g.src[e]]) best[g.src[e]] = through;
    }
  }
  return best;
}

// The k paths with the largest |product|: best-first search, where best (largestProducts,
// the same for every start) is the exact bound on how a path can end.
export function topPaths(g, start, k = TOP_K, best = largestProducts(g), maxSteps = 200000) {
  const heap = new Heap((a, b) => a.key > b.key || (a.key === b.key && a.edges.length > b.edges.length));
  heap.push({ node: start, edges: [], size: 1, key: best[start] });
  const found = [];
  for (let steps = 0; heap.size() > 0 && found.length < k && steps < maxSteps; steps++) {
    const partial = heap.pop();
    if (partial.node === g.output) {
      found.push(makePath(g, partial.edges, start));
      continue;
    }
    for (const e of g.out[partial.node]) {
      const size = partial.size * Math.abs(g.rate[e]);
      heap.push({ node: g.dst[e], edges: [...partial.edges, e], size, key: size * best[g.dst[e]] });
    }
  }
  return found;
}

class Heap {
  constructor(before) {
    this.items = [];
    this.before = before;
  }
  size() {
    return this.items.length;
  }
  push(item) {
    const items = this.items;
    items.push(item);
    for (let i = items.length - 1; i > 0;) {
      const up = (i - 1) >> 1;
      if (!this.before(items[i], items[up])) break;
      [items[i], items[up]] = [items[up], items[i]];
      i = up;
    }
  }
  pop() {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0) {
      items[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && this.before(items[l], items[m])) m = l;
        if (r < items.length && this.before(items[r], items[m])) m = r;
        if (m === i) break;
        [items[i], items[m]] = [items[m], items[i]];
        i = m;
      }
    }
    return top;
  }
}

// The reverse sweep after `step` operation nodes have sent adj · rate to their parents:
// each node's adjoint so far and whether it is known (every child taken), partial or unknown.
export function sweepState(g, step) {
  const order = [];
  for (let v = g.n - 1; v >= 0; v--) if (g.into[v].length > 0) order.push(v);
  const adj = adjoints(g, step);
  const taken = new Uint8Array(g.n);
  for (const v of order.slice(0, step)) taken[v] = 1;
  const state = new Array(g.n);
  for (let v = 0; v < g.n; v++) {
    const heads = g.out[v].map((e) => g.dst[e]);
    const done = heads.filter((h) => taken[h]).length;
    if (v === g.output || (heads.length > 0 && done === heads.length)) state[v] = "known";
    else state[v] = done > 0 ? "partial" : "unknown";
  }
  return { order, adj, taken, state, next: step < order.length ? order[step] : null };
}

// ------------------------------------------------------------------------------------------
// Numbers as text: four significant digits, a true minus sign; data-value keeps every digit.

export function fmt(x, digits = 4) {
  if (x === null || x === undefined) return "—";
  if (x === 0) return "0";
  let text =
    Math.abs(x) >= 1e-4 && Math.abs(x) < 1e6
      ? String(Number(x.toPrecision(digits)))
      : x.toExponential(digits - 1);
  text = text.replace(/e\+?/, "e");
  return x < 0 ? "−" + text.slice(1) : text;
}

function signed(x) {
  return x > 0 ? "+" + fmt(x) : fmt(x);
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) if (child !== null) node.append(child);
  return node;
}

function svg(tag, attrs = {}) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  return node;
}

function number(x, cls) {
  return setNumber(el("span", { class: "pg-num " + cls }), x);
}

// A shown number: rounded for the eye, every digit in data-value (empty when undefined).
function setNumber(span, x) {
  span.dataset.value = x === null ? "" : String(x);
  span.textContent = x === null ? "undefined here" : fmt(x);
  return span;
}

let instances = 0;

// ------------------------------------------------------------------------------------------
// The explorer: a graph pane and a panel with three tools (paths, nudge, backprop).

export class Explorer {
  constructor(root, data, hooks = {}) {
    this.root = root;
    this.data = data;
    this.hooks = hooks;
    this.id = `pg${++instances}`;
    this.tab = "paths";
    this.selected = null;
    this.focused = null;
    this.nudgeIndex = null;
    this.step = 0;
    this.zoom = 1;
    this.userParams = null; // the reader's choice of the weights-and-biases box, once made
    this.showParams = true;
    this.build();
    this.setLevel(data.start?.level ?? 0);
    const first = data.start?.node;
    if (first !== undefined && first !== null) this.selectByName(first);
    root.classList.add("pg-explorer");
    root.dataset.ready = "1";
  }

  // --- skeleton ---------------------------------------------------------------------------
  build() {
    const data = this.data;
    this.root.replaceChildren();
    const levels = el("fieldset", { class: "pg-levels" }, el("legend", { text: "Level" }));
    data.levels.forEach((level, i) => {
      const input = el("input", {
        type: "radio",
        name: `${this.id}-level`,
        value: level.level,
        onchange: () => this.setLevel(i),
      });
      levels.append(el("label", {}, input, " " + level.title));
    });
    if (data.levels.length === 1) levels.hidden = true;
    this.search = el("input", {
      class: "pg-search",
      type: "search",
      placeholder: "w^2_12 or w²₁₂",
      list: `${this.id}-names`,
      "aria-label": "Find a node by name",
    });
    this.search.addEventListener("change", () => this.selectByName(this.search.value.trim()));
    this.names = el("datalist", { id: `${this.id}-names` });
    const zoomOut = el("button", {
      type: "button",
      class: "pg-zoom-out",
      "aria-label": "Zoom out of the graph",
      text: "−",
      onclick: () => this.setZoom(this.zoom / 1.25),
    });
    const zoomFit = el("button", {
      type: "button",
      class: "pg-zoom-fit",
      "aria-label": "Fit the graph to its pane",
      text: "fit",
      onclick: () => this.setZoom(1),
    });
    const zoomIn = el("button", {
      type: "button",
      class: "pg-zoom-in",
      "aria-label": "Zoom into the graph",
      text: "+",
      onclick: () => this.setZoom(this.zoom * 1.25),
    });
    this.paramsBox = el("input", {
      type: "checkbox",
      class: "pg-show-params",
      checked: "",
      onchange: () => this.setShowParams(this.paramsBox.checked),
    });
    const tools = el(
      "div",
      { class: "pg-toolbar" },
      el("h2", { class: "pg-title", text: data.title }),
      levels,
      el("label", {}, "Find ", this.search),
      this.names,
      el("label", { class: "pg-params-toggle" }, this.paramsBox, " weights and biases"),
      el("span", { class: "pg-zoom", role: "group", "aria-label": "Zoom" }, "Zoom ", zoomOut, zoomFit, zoomIn),
    );
    this.pane = el("div", { class: "pg-pane" });
    this.tooltip = el("div", { class: "pg-tooltip", role: "tooltip", hidden: "" });
    this.pane.append(this.tooltip);
    this.status = el("p", { class: "pg-status", "aria-live": "polite" });
    const tabs = el("div", { class: "pg-tabs", role: "tablist" });
    this.tabButtons = {};
    for (const [key, text] of [
      ["paths", "Paths to C"],
      ["nudge", "Nudge"],
      ["sweep", "Backprop step by step"],
    ]) {
      const button = el("button", {
        type: "button",
        role: "tab",
        class: "pg-tab",
        "data-tab": key,
        text,
        onclick: () => this.setTab(key),
      });
      this.tabButtons[key] = button;
      tabs.append(button);
    }
    this.nodePanel = el("section", { class: "pg-node-panel", "aria-live": "polite" });
    this.toolPanel = el("section", { class: "pg-tool-panel", role: "tabpanel" });
    this.notes = el("p", { class: "pg-notes" });
    this.side = el("div", { class: "pg-side" }, tabs, this.toolPanel, this.nodePanel, this.notes);
    this.legendLine = this.legend();
    this.root.append(
      tools,
      el("div", { class: "pg-main" }, el("div", { class: "pg-graph-column" }, this.pane, this.status), this.side),
      this.legendLine,
    );
    // The graph follows its pane: a new window size, or the page first laid out.
    if (typeof ResizeObserver !== "undefined")
      new ResizeObserver(() => this.svg && this.setZoom(this.zoom)).observe(this.pane);
    window.addEventListener("resize", () => this.sizePane());
  }

  // The room for the pane: the window below the toolbar (three quarters of the window when
  // the explorer sits further down a page, as in a notebook). The side panel is as tall; the
  // pane takes what its graph needs of it (setZoom).
  sizePane() {
    const top = this.pane.getBoundingClientRect().top + window.scrollY;
    const below = this.status.offsetHeight + this.legendLine.offsetHeight + 28;
    const room = top < window.innerHeight / 2 ? window.innerHeight - top - below : 0.75 * window.innerHeight;
    this.room = Math.round(Math.max(MIN_PANE, room));
    this.side.style.maxHeight = `${this.room + this.status.offsetHeight}px`;
    if (this.svg) this.setZoom(this.zoom);
  }

  legend() {
    return el(
      "p",
      { class: "pg-legend" },
      el("span", { class: "pg-key pg-key-pos" }),
      " positive product of rates (solid blue) ",
      el("span", { class: "pg-key pg-key-neg" }),
      " negative (dashed vermillion); width: share of ∂C/∂node. ",
      "Keys: arrows move between nodes, Enter selects, Esc clears.",
    );
  }

  // --- levels and drawing -----------------------------------------------------------------
  setLevel(i) {
    const previous = this.selected !== null ? this.level.nodes.name[this.selected] : null;
    this.levelIndex = i;
    this.level = this.data.levels[i];
    this.g = prepare(this.level);
    this.adj = adjoints(this.g);
    this.best = largestProducts(this.g); // for topPaths, whatever node is selected
    this.fromSelected = null; // the selected node's tangents, worked out when first needed
    this.selected = null;
    this.focused = null;
    this.nudgeIndex = null;
    this.step = 0;
    this.root.querySelector(`input[name="${this.id}-level"][value="${this.level.level}"]`).checked = true;
    this.names.replaceChildren(
      ...this.level.nodes.name.filter((n) => n).map((n) => el("option", { value: n })),
    );
    this.compact = this.level.compact;
    this.root.classList.toggle("pg-compact", this.compact);
    this.toOutput = null; // paths from each node to C, counted when a path is first numbered
    this.sizePane();
    this.showParams = this.paramsAtFirst();
    this.paramsBox.disabled = this.compact;
    this.paramsBox.checked = this.showParams;
    this.notes.textContent = [...(this.data.notes || []), ...(this.level.notes || [])].join(" ");
    this.draw();
    const again = previous !== null ? this.level.nodes.name.indexOf(previous) : -1;
    if (again >= 0) this.select(again);
    else this.refresh();
  }

  // Where the nodes go: the full layout, or the lean one without weights and biases.
  placement(full) {
    const { nodes, edges } = this.level;
    if (full || !this.level.lean)
      return {
        width: this.level.width,
        height: this.level.height,
        x: nodes.x,
        y: nodes.y,
        w: nodes.w,
        h: nodes.h,
        path: edges.path || null,
        lx: edges.lx || null,
        ly: edges.ly || null,
      };
    return this.level.lean;
  }

  // The scale that fits a placement to the pane (never above MAX_FIT).
  fitScale(place) {
    const width = this.pane.clientWidth || 0.6 * window.innerWidth;
    const height = this.room || 0.7 * window.innerHeight;
    const across = (width - 4) / (place.width + 2 * MARGIN);
    const down = (height - 4) / (place.height + 2 * MARGIN);
    return Math.min(MAX_FIT, across, down);
  }

  // Weights and biases are shown at first when the full layout, fitted to the pane, keeps the
  // rates on the edges readable; else the lean layout is (the box brings them back).
  paramsAtFirst() {
    if (this.compact) return false;
    if (this.userParams !== null) return this.userParams;
    if (!this.level.lean) return true;
    return this.fitScale(this.placement(true)) * EDGE_LABEL_SIZE >= READABLE_PX;
  }

  visible(v) {
    const nodes = this.level.nodes;
    if (this.place.x[v] === null) return v === this.selected;
    return this.showParams || nodes.kind[v] !== "param" || v === this.selected;
  }

  position(v) {
    const place = this.place;
    if (place.x[v] !== null) return [place.x[v], place.y[v]];
    const child = this.g.dst[this.g.out[v][0]]; // a hidden weight is drawn beside its neuron
    return [place.x[child] - 70, place.y[child] - 14];
  }

  draw() {
    const level = this.level;
    const margin = MARGIN;
    const place = (this.place = this.placement(this.showParams));
    this.svg = svg("svg", {
      class: "pg-graph",
      tabindex: "0",
      role: "application",
      "aria-label": `${level.title}: ${this.g.n} nodes. Arrow keys move, Enter selects.`,
    });
    this.svg.setAttribute(
      "viewBox",
      `${-margin} ${-margin} ${place.width + 2 * margin} ${place.height + 2 * margin}`,
    );
    this.svg.dataset.width = place.width + 2 * margin;
    this.svg.dataset.height = place.height + 2 * margin;
    this.svg.addEventListener("keydown", (event) => this.onKey(event));
    // No scrolling here: a click focuses the graph first, and must land where it was aimed.
    this.svg.addEventListener("focus", () =>
      this.setFocus(this.focused ?? this.selected ?? this.g.output, false),
    );
    const defs = svg("defs");
    for (const kind of ["plain", "pos", "neg", "known", "next", "dim"]) {
      const marker = svg("marker", {
        id: `${this.id}-arrow-${kind}`,
        class: `pg-arrow pg-arrow-${kind}`,
        viewBox: "0 0 10 10",
        refX: "9",
        refY: "5",
        markerUnits: "userSpaceOnUse",
        markerWidth: "9",
        markerHeight: "9",
        orient: "auto-start-reverse",
      });
      marker.append(svg("path", { d: "M0,0 L10,5 L0,10 z" }));
      defs.append(marker);
    }
    this.svg.append(defs);
    this.edgeLayer = svg("g", { class: "pg-edges" });
    this.overlay = svg("g", { class: "pg-overlay" });
    this.nodeLayer = svg("g", { class: "pg-nodes" });
    this.svg.append(this.edgeLayer, this.overlay, this.nodeLayer);
    this.edgeEls = [];
    if (this.compact) this.drawBundle();
    else for (let e = 0; e < this.g.src.length; e++) this.edgeEls.push(this.drawEdge(e, this.edgeLayer));
    this.nodeEls = [];
    for (let v = 0; v < this.g.n; v++) this.nodeEls.push(this.drawNode(v));
    this.pane.replaceChildren(this.svg, this.tooltip);
    this.setZoom(this.zoom);
  }

  edgePath(e) {
    const from = this.position(this.g.src[e]);
    const to = this.position(this.g.dst[e]);
    const [w1, w2] = [this.place.w[this.g.src[e]] || 16, this.place.w[this.g.dst[e]] || 16];
    const [x1, y1, x2, y2] = [from[0] + w1 / 2, from[1], to[0] - w2 / 2, to[1]];
    const bend = (x2 - x1) / 2;
    return `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}`;
  }

  drawEdge(e, layer) {
    const place = this.place;
    const d = (place.path && place.path[e]) || this.edgePath(e);
    const group = svg("g", { class: "pg-edge", "data-index": e });
    const line = svg("path", { class: "pg-edge-line", d, "marker-end": `url(#${this.id}-arrow-plain)` });
    const hit = svg("path", { class: "pg-edge-hit", d });
    group.append(line, hit);
    if (this.g.src.length <= RATE_LABELS_UP_TO && place.lx && place.lx[e] !== null) {
      const label = svg("text", { class: "pg-edge-label", x: place.lx[e], y: place.ly[e] });
      label.textContent = fmt(this.g.rate[e], 3);
      group.append(label);
    }
    group.addEventListener("mouseenter", (event) => this.showEdge(e, event));
    group.addEventListener("mousemove", (event) => this.moveTooltip(event));
    group.addEventListener("mouseleave", () => (this.tooltip.hidden = true));
    layer.append(group);
    return group;
  }

  // Many edges (a big net): one bundled path through the middle of each gap between columns.
  drawBundle() {
    const middle = this.place.height / 2;
    const parts = [];
    for (let e = 0; e < this.g.src.length; e++) {
      if (this.place.x[this.g.src[e]] === null) continue;
      const [x1, y1] = this.position(this.g.src[e]);
      const [x2, y2] = this.position(this.g.dst[e]);
      const cy = (0.3 * (y1 + y2)) / 2 + 0.7 * middle;
      parts.push(`M${x1},${y1} Q${(x1 + x2) / 2},${cy} ${x2},${y2}`);
    }
    this.edgeLayer.append(svg("path", { class: "pg-bundle", d: parts.join(" ") }));
  }

  drawNode(v) {
    const nodes = this.level.nodes;
    const [x, y] = this.position(v);
    const kind = nodes.kind[v];
    const group = svg("g", {
      class: `pg-node pg-${kind}`,
      "data-index": v,
      "data-name": nodes.name[v] ?? "",
      transform: `translate(${x},${y})`,
    });
    const w = this.place.w[v];
    const h = this.place.h[v];
    if (this.compact || !w) {
      group.append(svg("circle", { class: "pg-shape", r: kind === "cost" ? 14 : 10 }));
      const name = svg("text", { class: "pg-name", x: 13, y: -6 });
      name.textContent = nodes.label[v];
      const extra = svg("text", { class: "pg-extra", x: 13, y: 22 });
      group.append(name, extra);
    } else {
      const round = kind === "param" ? 8 : kind === "cost" || kind === "input" ? 0 : h / 2;
      group.append(
        svg("rect", {
          class: "pg-shape",
          x: -w / 2,
          y: -h / 2,
          width: w,
          height: h,
          rx: Math.min(round, w / 2),
          ry: round,
        }),
      );
      const lines =
        kind === "param"
          ? [`${nodes.label[v]}  ${fmt(nodes.value[v], 3)}`]
          : [nodes.label[v], fmt(nodes.value[v], 3)];
      const step = kind === "param" ? 13 : 15; // the lines, with the extra one, centred in the box
      const top = -((lines.length + 1) * step) / 2 + step * 0.8;
      lines.forEach((line, i) => {
        const text = svg("text", {
          class: i === 0 ? "pg-name" : "pg-value",
          x: 0,
          y: top + step * i,
          "text-anchor": "middle",
        });
        text.textContent = line;
        group.append(text);
      });
      group.append(
        svg("text", { class: "pg-extra", x: 0, y: top + step * lines.length, "text-anchor": "middle" }),
      );
    }
    group.addEventListener("click", () => this.select(v));
    group.addEventListener("mouseenter", (event) => this.showNode(v, event));
    group.addEventListener("mousemove", (event) => this.moveTooltip(event));
    group.addEventListener("mouseleave", () => (this.tooltip.hidden = true));
    this.nodeLayer.append(group);
    return group;
  }

  // Zoom 1 fits the whole graph in its pane; zooming in enlarges the graph (the pane scrolls),
  // never the panels around it.
  setZoom(zoom) {
    this.zoom = Math.min(8, Math.max(0.25, zoom));
    const scale = this.fitScale(this.place) * this.zoom;
    this.scale = scale;
    this.svg.style.width = `${Number(this.svg.dataset.width) * scale}px`;
    const needed = Math.ceil(Number(this.svg.dataset.height) * scale) + 6;
    this.pane.style.height = `${Math.max(MIN_PANE, Math.min(this.room || needed, needed))}px`;
    // Rates too small to read at this scale: the shown paths' rates at READABLE_PX on screen,
    // the others left out (zoom in to read them all).
    const small = scale * EDGE_LABEL_SIZE < READABLE_PX;
    this.root.classList.toggle("pg-small-rates", small);
    this.svg.style.setProperty("--pg-rate-size", `${small ? READABLE_PX / scale : EDGE_LABEL_SIZE}px`);
    this.svg.dataset.scale = String(scale);
    if (this.compact) this.labelBigNet(scale);
  }

  // A big net's names keep NAME_PX on screen at any scale; where its rows stand closer than
  // that, every k-th node of a column is named (and always the selected one).
  labelBigNet(scale) {
    this.svg.style.setProperty("--pg-name-size", `${NAME_PX / scale}px`);
    const columns = new Map();
    for (let v = 0; v < this.g.n; v++) {
      if (this.place.x[v] === null) continue;
      const x = this.place.x[v];
      if (!columns.has(x)) columns.set(x, []);
      columns.get(x).push(v);
    }
    let pitch = Infinity;
    for (const column of columns.values()) {
      column.sort((a, b) => this.place.y[a] - this.place.y[b]);
      for (let i = 1; i < column.length; i++)
        pitch = Math.min(pitch, this.place.y[column[i]] - this.place.y[column[i - 1]]);
    }
    const every = Math.max(1, Math.ceil((1.15 * NAME_PX) / (pitch * scale)));
    this.svg.dataset.namedEvery = String(every);
    for (const column of columns.values())
      column.forEach((v, i) => this.nodeEls[v].classList.toggle("pg-unnamed", i % every !== 0));
  }

  setShowParams(show) {
    this.userParams = show;
    this.showParams = show;
    this.draw();
    this.refresh();
  }

  setTab(tab) {
    this.tab = tab;
    this.refresh();
  }

  // --- selection and keyboard ---------------------------------------------------------------
  selectByName(name) {
    const names = this.level.nodes.name;
    const labels = this.level.nodes.label;
    let v = names.indexOf(name);
    if (v < 0) v = labels.indexOf(name);
    if (v >= 0) this.select(v);
  }

  select(v) {
    this.selected = v;
    this.nudgeIndex = this.level.nodes.nudge[v] >= 0 ? this.middleStep() : null;
    if (this.hooks.onSelect) this.hooks.onSelect(this.level.nodes.name[v] ?? "");
    this.setFocus(v, false);
    this.refresh();
  }

  middleStep() {
    return (this.data.nudge.steps.length - 1) / 2;
  }

  setFocus(v, scroll = true) {
    if (this.focused !== null && this.nodeEls[this.focused])
      this.nodeEls[this.focused].classList.remove("pg-focus");
    this.focused = v;
    const node = this.nodeEls[v];
    if (!node) return;
    node.classList.add("pg-focus");
    const nodes = this.level.nodes;
    this.status.textContent = `${this.name(v)} = ${fmt(nodes.value[v])}, ${nodes.kindText[v]}; ${this.gradName(v)} = ${fmt(this.adj[v])}.`;
    if (scroll && node.scrollIntoView) node.scrollIntoView({ block: "nearest", inline: "nearest" });
  }

  onKey(event) {
    const moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    if (event.key in moves) {
      event.preventDefault();
      const v = this.nearest(this.focused ?? this.g.output, ...moves[event.key]);
      if (v !== null) this.setFocus(v);
    } else if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      if (this.focused !== null) this.select(this.focused);
    } else if (event.key === "Escape") {
      this.selected = null;
      this.refresh();
    }
  }

  // The visible node nearest in the direction (dx, dy): distance along it, plus twice across.
  nearest(from, dx, dy) {
    const [x0, y0] = this.position(from);
    let best = null;
    let bestCost = Infinity;
    for (let v = 0; v < this.g.n; v++) {
      if (v === from || !this.visible(v)) continue;
      const [x, y] = this.position(v);
      const along = (x - x0) * dx + (y - y0) * dy;
      if (along <= 1) continue;
      const cost = along + 2 * Math.abs((x - x0) * dy - (y - y0) * dx);
      if (cost < bestCost) {
        bestCost = cost;
        best = v;
      }
    }
    return best;
  }

  // --- what each tool shows -------------------------------------------------------------------
  refresh() {
    for (const [key, button] of Object.entries(this.tabButtons))
      button.setAttribute("aria-selected", String(key === this.tab));
    const sweep = this.tab === "sweep" ? sweepState(this.g, this.step) : null; // once a refresh
    this.paint(sweep);
    const panel = {
      paths: () => this.pathsTool(),
      nudge: () => this.nudgeTool(),
      sweep: () => this.sweepTool(sweep),
    }[this.tab];
    this.toolPanel.replaceChildren(...panel());
    this.nodePanel.replaceChildren(...this.nodeInfo());
  }

  // The graph as the current tool shows it; `sweep` is the reverse sweep's state at this.step.
  paint(sweep = null) {
    this.reset();
    if (this.tab === "paths") this.paintPaths();
    else if (this.tab === "nudge") this.paintNudge();
    else this.paintSweep(sweep ?? sweepState(this.g, this.step));
  }

  reset() {
    this.overlay.replaceChildren();
    const nodes = this.level.nodes;
    for (let v = 0; v < this.g.n; v++) {
      const node = this.nodeEls[v];
      node.style.display = this.visible(v) ? "" : "none";
      node.classList.toggle("pg-selected", v === this.selected);
      for (const cls of ["pg-dim", "pg-known", "pg-partial", "pg-unknown", "pg-up", "pg-down"])
        node.classList.remove(cls);
      node.querySelector(".pg-extra").textContent = "";
      for (const key of ["adjoint", "delta", "state", "tangent"]) delete node.dataset[key];
    }
    if (this.selected !== null && this.place.x[this.selected] === null)
      this.nodeEls[this.selected].style.display = "";
    this.edgeEls.forEach((edge, e) => {
      edge.style.display = this.visible(this.g.src[e]) ? "" : "none";
      edge.setAttribute("class", "pg-edge");
      edge.querySelector(".pg-edge-line").setAttribute("marker-end", `url(#${this.id}-arrow-plain)`);
      edge.querySelector(".pg-edge-line").style.strokeWidth = "";
    });
  }

  // Restyle edge e; a bundled graph draws it on its own, over the bundle (never a dim one).
  edgeLook(e, look, width) {
    if (!this.visible(this.g.src[e]) || !this.visible(this.g.dst[e])) return;
    let edge = this.edgeEls[e];
    if (this.compact) {
      if (look === "dim") return;
      edge = this.drawEdge(e, this.overlay);
    }
    edge.setAttribute("class", `pg-edge pg-${look}`);
    const marker = look === "dim" ? "dim" : look;
    edge.querySelector(".pg-edge-line").setAttribute("marker-end", `url(#${this.id}-arrow-${marker})`);
    if (width) edge.querySelector(".pg-edge-line").style.strokeWidth = `${width}px`;
  }

  name(v) {
    return this.level.nodes.label[v];
  }

  gradName(v) {
    return this.level.nodes.grad[v];
  }

  // Paths: the paths from the selected node to C, drawn with their flow, counted, summed.
  paintPaths() {
    const v = this.selected;
    if (v === null) return;
    const g = this.g;
    const { tan, reached } = this.selectedTangents();
    const flow = new Float64Array(g.src.length);
    let largest = 0;
    for (let e = 0; e < g.src.length; e++) {
      if (!reached[g.src[e]]) continue;
      flow[e] = tan[g.src[e]] * g.rate[e] * this.adj[g.dst[e]]; // Σ of the products of the paths through e
      largest = Math.max(largest, Math.abs(flow[e]));
    }
    for (let u = 0; u < g.n; u++) if (!reached[u]) this.nodeEls[u].classList.add("pg-dim");
    this.edgeEls.forEach((_, e) => {
      if (!reached[g.src[e]]) this.edgeLook(e, "dim");
    });
    for (let e = 0; e < g.src.length; e++) {
      if (!reached[g.src[e]]) continue;
      const widest = this.compact ? 3 : 5;
      const width = largest > 0 ? 1.2 + (widest * Math.abs(flow[e])) / largest : 2;
      this.edgeLook(e, flow[e] < 0 ? "neg" : "pos", width);
    }
  }

  pathsTool() {
    const v = this.selected;
    if (v === null)
      return [
        el("p", {
          text: "Click a node (or move to it with the arrow keys and press Enter) to see every path from it to C.",
        }),
      ];
    const g = this.g;
    const { tan } = this.selectedTangents();
    const count = countPaths(g, v);
    const who = this.name(v);
    const parts = [
      el("h3", {}, "Paths from ", el("b", { text: who }), ` to ${this.name(g.output)}`),
      el(
        "p",
        {},
        el("span", {
          class: "pg-path-count",
          "data-value": count.toString(),
          text: count.toLocaleString("en"),
        }),
        count === 1n ? " path" : " paths",
      ),
    ];
    // Every path when there are few enough to read, else the largest ones.
    const listing = count <= BigInt(LIST_ALL_UP_TO);
    const paths = listing ? listPaths(g, v) : topPaths(g, v, TOP_K, this.best);
    parts.push(this.pathTable(paths, listing, count));
    if (listing) {
      const sum = paths.reduce((s, p) => s + p.product, 0);
      parts.push(
        el(
          "p",
          { class: "pg-sum-line" },
          paths.length === 1 ? "Its product = " : `Σ of the ${paths.length} products = `,
          number(sum, "pg-path-sum"),
          ` = ∂C/∂${who} (equation 53)`,
        ),
      );
    }
    parts.push(
      el(
        "p",
        {},
        `∂C/∂${who} = `,
        number(tan[g.output], "pg-forward"),
        " by a forward sweep, ",
        number(this.adj[v], "pg-grad"),
        " by backpropagation.",
      ),
    );
    return parts;
  }

  pathTable(paths, all, count) {
    if (!all && this.toOutput === null) this.toOutput = pathsToOutput(this.g);
    const rows = paths.map((p, i) => {
      const place = all ? BigInt(i + 1) : pathNumber(this.g, p, this.toOutput);
      const route = p.nodes.map((u) => this.name(u)).join(" → ");
      const factors = p.edges
        .map((e) => (this.g.rate[e] < 0 ? `(${fmt(this.g.rate[e], 3)})` : fmt(this.g.rate[e], 3)))
        .join(" × ");
      const row = el(
        "tr",
        {
          class: "pg-path-row " + (p.product < 0 ? "pg-neg-row" : "pg-pos-row"),
          "data-product": String(p.product),
          tabindex: "0",
        },
        el("td", { class: "pg-path-number", text: place.toLocaleString("en") }),
        el("td", { class: "pg-route", text: route }),
        el("td", { class: "pg-factors", text: factors }),
        el("td", {}, number(p.product, "pg-product")),
      );
      const show = () => this.highlightPath(p);
      row.addEventListener("mouseenter", show);
      row.addEventListener("focus", show);
      row.addEventListener("mouseleave", () => this.paint());
      row.addEventListener("blur", () => this.paint());
      return row;
    });
    const caption = all
      ? "every path, depth first"
      : `the ${paths.length} largest |products| of ${count.toLocaleString("en")}, each numbered by its place among them all`;
    return el(
      "table",
      { class: "pg-paths" },
      el("caption", { text: caption }),
      el(
        "thead",
        {},
        el(
          "tr",
          {},
          el("th", { text: "#" }),
          el("th", { text: "path" }),
          el("th", { text: "rate factors" }),
          el("th", { text: "product" }),
        ),
      ),
      el("tbody", {}, ...rows),
    );
  }

  highlightPath(path) {
    this.reset();
    for (let e = 0; e < this.g.src.length; e++) this.edgeLook(e, "dim");
    for (const e of path.edges) this.edgeLook(e, path.product < 0 ? "neg" : "pos", 7);
  }

  // Nudge: Δ at the selected node, carried forward by the rates; C's predicted and true ΔC.
  nudged() {
    const v = this.selected;
    if (v === null || this.level.nodes.nudge[v] < 0) return null;
    const i = this.nudgeIndex ?? this.middleStep();
    const { tan, reached } = this.selectedTangents();
    return { v, i, delta: this.data.nudge.steps[i], tan, reached };
  }

  // ∂u/∂selected for every node u (a forward sweep), worked out once per selected node.
  selectedTangents() {
    const v = this.selected;
    if (this.fromSelected === null || this.fromSelected.node !== v)
      this.fromSelected = { node: v, ...tangents(this.g, v) };
    return this.fromSelected;
  }

  paintNudge() {
    const nudge = this.nudged();
    if (nudge === null) return;
    const { delta, tan, reached } = nudge;
    for (let u = 0; u < this.g.n; u++) {
      const node = this.nodeEls[u];
      if (!reached[u]) {
        node.classList.add("pg-dim");
        continue;
      }
      const change = delta * tan[u]; // equations 47-50: Δu ≈ (∂u/∂v) Δv
      node.dataset.tangent = String(change);
      node.classList.add(change >= 0 ? "pg-up" : "pg-down");
      node.querySelector(".pg-extra").textContent = `Δ ≈ ${signed(change)}`;
    }
    for (let e = 0; e < this.g.src.length; e++) {
      if (reached[this.g.src[e]])
        this.edgeLook(e, tan[this.g.src[e]] * this.g.rate[e] * delta < 0 ? "neg" : "pos", 2.5);
    }
  }

  nudgeTool() {
    const v = this.selected;
    if (v === null)
      return [
        el("p", {
          text: "Select a node, then move the slider to nudge it by Δ and watch the change spread edge by edge.",
        }),
      ];
    const nudge = this.nudged();
    if (nudge === null)
      return [
        el("p", {
          text:
            v === this.g.output
              ? "C is where the change arrives: select a weight, a bias, an input or an inner node."
              : `No slider for ${this.name(v)}: ${this.level.nudgeNote}`,
        }),
      ];
    const who = this.name(v);
    const slider = el("input", {
      type: "range",
      class: "pg-nudge-range",
      min: "0",
      max: String(this.data.nudge.steps.length - 1),
      step: "1",
      value: String(nudge.i),
      "aria-label": `Δ${who}`,
    });
    const shown = {
      delta: number(0, "pg-nudge-delta"),
      predicted: number(0, "pg-dc-pred"),
      truth: number(0, "pg-dc-true"),
      gap: number(0, "pg-dc-gap"),
    };
    const show = () => {
      const { i, delta, tan } = this.nudged();
      const predicted = delta * tan[this.g.output]; // ΔC ≈ (∂C/∂v) Δv
      const truth = this.level.nudgeTable[this.level.nodes.nudge[v]][i];
      setNumber(shown.delta, delta);
      setNumber(shown.predicted, predicted);
      setNumber(shown.truth, truth);
      setNumber(shown.gap, truth === null ? null : truth - predicted);
    };
    slider.addEventListener("input", () => {
      this.nudgeIndex = Number(slider.value);
      this.paint();
      show();
    });
    show();
    return [
      el("h3", {}, "Nudge ", el("b", { text: who })),
      el("label", { class: "pg-slider" }, `Δ${who} = `, shown.delta, slider),
      el("p", {
        class: "pg-explain",
        text: "Each node shows its predicted change: the forward sweep carries Δ edge by edge, Δhead ≈ Σ rate × Δtail (equations 47-50).",
      }),
      el(
        "table",
        { class: "pg-nudge-table" },
        el(
          "tbody",
          {},
          el("tr", {}, el("th", { text: `predicted ΔC = ∂C/∂${who} × Δ` }), el("td", {}, shown.predicted)),
          el("tr", {}, el("th", { text: `true ΔC = C(${who} + Δ) − C` }), el("td", {}, shown.truth)),
          el("tr", {}, el("th", { text: "linearisation error (true − predicted)" }), el("td", {}, shown.gap)),
        ),
      ),
      el("p", {
        class: "pg-explain",
        text: "pathgrad recomputed the true ΔC for each slider position. The error shrinks like Δ²: try Δ = 0.1, then 0.01.",
      }),
    ];
  }

  // Backprop: the reverse sweep, one operation node at a time.
  paintSweep(s) {
    const nodes = this.level.nodes;
    for (let v = 0; v < this.g.n; v++) {
      const node = this.nodeEls[v];
      node.classList.add(`pg-${s.state[v]}`);
      node.dataset.state = s.state[v];
      if (s.state[v] === "unknown") continue;
      node.dataset.adjoint = String(s.adj[v]);
      let text = `∂C/∂· = ${fmt(s.adj[v])}`;
      if (nodes.slope[v] !== null) {
        const delta = s.adj[v] * nodes.slope[v]; // δ = ∂C/∂a · σ'(z) (BP1, BP2)
        node.dataset.delta = String(delta);
        text = `δ = ${fmt(delta)}`;
      } else if (nodes.kind[v] === "z") {
        node.dataset.delta = String(s.adj[v]);
        text = `δ = ${fmt(s.adj[v])}`;
      }
      node.querySelector(".pg-extra").textContent = text + (s.state[v] === "partial" ? "…" : "");
    }
    for (let e = 0; e < this.g.src.length; e++) {
      if (s.taken[this.g.dst[e]]) this.edgeLook(e, "known", 2.5);
      else if (this.g.dst[e] === s.next) this.edgeLook(e, "next", 2.5);
    }
  }

  sweepTool(s) {
    const total = s.order.length;
    const go = (step) => {
      this.step = Math.max(0, Math.min(total, step));
      this.refresh();
    };
    const button = (cls, text, label, target) =>
      el("button", {
        type: "button",
        class: cls,
        text,
        "aria-label": label,
        onclick: () => {
          go(target());
          this.toolPanel.querySelector("." + cls)?.focus();
        },
      });
    const range = el("input", {
      type: "range",
      class: "pg-step-range",
      min: "0",
      max: String(total),
      value: String(this.step),
      "aria-label": "step",
    });
    const status = el("p", { class: "pg-step-status" });
    const show = ({ next }) => {
      status.dataset.step = String(this.step);
      status.textContent =
        `Step ${this.step} of ${total}. ` +
        (next === null
          ? "Done: every node knows ∂C/∂node."
          : `Next: ${this.name(next)} sends ${this.gradName(next)} × rate back along each of its ${this.g.into[next].length} incoming edges.`);
    };
    range.addEventListener("input", () => {
      this.step = Number(range.value);
      const state = sweepState(this.g, this.step);
      this.paint(state);
      show(state);
    });
    show(s);
    return [
      el("h3", { text: "The reverse sweep (backpropagation)" }),
      status,
      el(
        "div",
        { class: "pg-step-buttons" },
        button("pg-step-first", "start", "back to the start", () => 0),
        button("pg-step-prev", "◀ step", "one step back", () => this.step - 1),
        button("pg-step-next", "step ▶", "one step forward", () => this.step + 1),
        button("pg-step-last", "end", "to the end", () => total),
      ),
      range,
      el("p", {
        class: "pg-explain",
        text: "adj[tail] += adj[head] × rate, heads from C backwards. Each node shows ∂C/∂· (itself), or δ = ∂C/∂z for a neuron. Solid green: known (all its children done); dashed orange: a partial sum (…); dotted grey: nothing yet.",
      }),
    ];
  }

  // The selected node: value, gradient, and the formula of every edge in and out.
  nodeInfo() {
    const v = this.selected ?? this.focused;
    if (v === null || v === undefined)
      return [
        el("p", {
          class: "pg-explain",
          text: "Select a node (click it, or arrows and Enter on the graph) to see its value, its gradient and every edge in and out of it.",
        }),
      ];
    const nodes = this.level.nodes;
    const parts = [
      el(
        "h3",
        {},
        el("b", { text: this.name(v) }),
        ` = `,
        number(nodes.value[v], "pg-node-value"),
        ` (${nodes.kindText[v]})`,
      ),
    ];
    parts.push(el("p", {}, `${this.gradName(v)} = `, number(this.adj[v], "pg-node-grad")));
    for (const [title, list] of [
      ["In", this.g.into[v]],
      ["Out", this.g.out[v]],
    ]) {
      if (list.length === 0) continue;
      const items = list
        .slice(0, EDGE_ROWS)
        .map((e) => el("li", { tabindex: "0", class: "pg-edge-item", text: this.edgeText(e) }));
      if (list.length > EDGE_ROWS) items.push(el("li", { text: `… and ${list.length - EDGE_ROWS} more` }));
      parts.push(
        el("h4", { text: `${title}: ${list.length} edge${list.length === 1 ? "" : "s"}` }),
        el("ul", { class: "pg-edge-list" }, ...items),
      );
    }
    return parts;
  }

  edgeText(e) {
    const { formula, where } = this.level.edges;
    const head = this.name(this.g.dst[e]);
    const tail = this.name(this.g.src[e]);
    let text = `∂${head}/∂${tail} = ${formula[e]}`;
    if (formula[e] !== fmt(this.g.rate[e])) text += ` = ${fmt(this.g.rate[e])}`;
    if (where[e]) text += `   (${where[e]})`;
    return text;
  }

  showEdge(e, event) {
    this.tooltip.textContent = this.edgeText(e);
    this.tooltip.dataset.edge = String(e);
    this.tooltip.hidden = false;
    this.moveTooltip(event);
  }

  showNode(v, event) {
    const nodes = this.level.nodes;
    this.tooltip.textContent = `${this.name(v)} = ${fmt(nodes.value[v])}; ${this.gradName(v)} = ${fmt(this.adj[v])}`;
    delete this.tooltip.dataset.edge;
    this.tooltip.hidden = false;
    this.moveTooltip(event);
  }

  moveTooltip(event) {
    const box = this.pane.getBoundingClientRect();
    this.tooltip.style.left = `${event.clientX - box.left + this.pane.scrollLeft + 14}px`;
    this.tooltip.style.top = `${event.clientY - box.top + this.pane.scrollTop + 14}px`;
  }
}

export function mount(root, data, hooks = {}) {
  return new Explorer(root, data, hooks);
}

// The Jupyter widget (anywidget): the same explorer, its data and selection synced with Python.
export default {
  render({ model, el: root }) {
    const explorer = mount(root, model.get("data"), {
      onSelect: (name) => {
        model.set("selected", name);
        model.save_changes();
      },
    });
    model.on("change:selected", () => explorer.selectByName(model.get("selected")));
  },
};
