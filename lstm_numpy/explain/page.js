"use strict";
// The explorable page of one traced pass: an overview of the unrolled network, one cell opened,
// the backward switch, stepping through both passes, and the gradient-contribution matrices.
// Everything it shows is in the JSON data element (id "data"), written by lstm_numpy.explain.

const ERRORS = [];                                    // read by the self-test: there should be none
window.addEventListener("error", (event) => ERRORS.push(String(event.message)));
const consoleError = console.error.bind(console);
console.error = (...args) => { ERRORS.push(args.map(String).join(" ")); consoleError(...args); };

const DATA = JSON.parse(document.getElementById("data").textContent);
const CFG = DATA.config;
const T = CFG.T;
const LAYERS = CFG.n.length;
const IS_LSTM = CFG.state_parts.includes("c");
// The stepping order: the forward pass as the trace lists it (weights aside), then BPTT.
const SEQUENCE = DATA.forward.map((e) => Object.assign(e, { pass: "forward" }))
  .concat(DATA.backward.map((e) => Object.assign(e, { pass: "backward" })));
SEQUENCE.forEach((e, i) => { e.index = i; });

const state = { pass: "forward", t: T - 1, k: LAYERS - 1, pos: -1, selected: null, contribLayer: LAYERS - 1 };

// ---- numbers ----------------------------------------------------------------------------------

function values(encoded) {
  // The float64 array behind an encoded value (base64 of little-endian bytes), decoded once.
  if (!encoded.decoded) {
    const text = atob(encoded.data);
    const view = new DataView(new ArrayBuffer(text.length));
    for (let i = 0; i < text.length; i++) view.setUint8(i, text.charCodeAt(i));
    encoded.decoded = Float64Array.from({ length: text.length / 8 }, (_, i) => view.getFloat64(8 * i, true));
  }
  return encoded.decoded;
}

function rowsAndColumns(shape) {
  // A vector is drawn as one row; anything else as (first axis) x (the rest).
  if (shape.length === 0) return [1, 1];
  if (shape.length === 1) return [1, shape[0]];
  return [shape[0], shape.slice(1).reduce((a, b) => a * b, 1)];
}

function shapeText(shape) { return "(" + shape.join(", ") + (shape.length === 1 ? ",)" : ")"); }

function deadRows(t) {
  // The rows of the batch past their sequence_length at step t: their state is carried.
  if (!CFG.lengths) return [];
  return CFG.lengths.map((len, b) => (t >= len ? b : -1)).filter((b) => b >= 0);
}

function where(e) {
  const file = e.where.module.replace(/\./g, "/") + ".py";
  return `${file}:${e.where.line} ${e.where.function}`;
}

// ---- heatmaps -----------------------------------------------------------------------------------

function colour(v, scale) {
  // Diverging: blue below zero, white at zero, red above; |v| / scale sets the depth.
  const a = scale > 0 ? Math.min(1, Math.abs(v) / scale) : 0;
  const to = v < 0 ? [33, 102, 172] : [178, 24, 43];
  return to.map((c) => Math.round(255 + (c - 255) * a));
}

function drawHeatmap(canvas, encoded, carried) {
  // One pixel per number (rows x columns), scaled by CSS; carried rows tinted amber.
  const [rows, cols] = rowsAndColumns(encoded.shape);
  const v = values(encoded);
  const scale = v.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
  canvas.width = cols;
  canvas.height = rows;
  const ctx = canvas.getContext("2d");
  const image = ctx.createImageData(cols, rows);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      let rgb = colour(v[r * cols + c], scale);
      if (carried && carried.includes(r)) rgb = rgb.map((x, i) => Math.round(0.55 * x + 0.45 * [226, 190, 120][i]));
      image.data.set([...rgb, 255], 4 * (r * cols + c));
    }
  }
  ctx.putImageData(image, 0, 0);
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", `heatmap ${shapeText(encoded.shape)}, largest magnitude ${scale.toPrecision(3)}`);
}

function rangeText(encoded) {
  // What the colours span: the colour scale is symmetric, +-(largest magnitude).
  const v = values(encoded);
  const low = v.reduce((a, b) => Math.min(a, b), Infinity), high = v.reduce((a, b) => Math.max(a, b), -Infinity);
  if (low === 0 && high === 0) return "all zero";
  return `from ${low.toPrecision(3)} to ${high.toPrecision(3)}; colour scale \u00b1${Math.max(-low, high).toPrecision(3)}`;
}

function heatmap(encoded, carried) {
  const canvas = document.createElement("canvas");
  canvas.className = "hm";
  drawHeatmap(canvas, encoded, carried);
  return canvas;
}

function element(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

// ---- finding entries ----------------------------------------------------------------------------

function entriesOf(pass, t, k) { return SEQUENCE.filter((e) => e.pass === pass && e.t === t && e.k === k); }

function lastNamed(pass, t, k, name) {
  const found = entriesOf(pass, t, k).filter((e) => e.name === name);
  return found[found.length - 1];
}

function nodeParts(t, k) {
  // What a node's small heatmaps show: h (and c) forward, the gradients dh (and dc) backward.
  const names = state.pass === "forward" ? ["h_t", "c_t"] : ["dh", "dc"];
  const parts = [["h", names[0]]];
  if (IS_LSTM) parts.push(["c", names[1]]);
  return parts.map(([part, name]) => [part, lastNamed(state.pass, t, k, name)]);
}

// ---- the overview -------------------------------------------------------------------------------

function arrowText(direction, what, shape) {
  const back = state.pass === "backward";
  const glyph = { right: back ? "\u2190" : "\u2192", up: back ? "\u2193" : "\u2191" }[direction];
  const names = back ? what.map((w) => "d" + w) : what;
  return [element("b", { text: glyph }), names.join(", ") + " " + shapeText(shape)];
}

function buildOverview() {
  // A CSS grid: a name column, then per step an arrow column and a node column, and a last arrow.
  const grid = document.getElementById("grid");
  grid.textContent = "";
  grid.style.gridTemplateColumns = `5.2em repeat(${T}, minmax(0, 0.45fr) minmax(0, 1fr)) minmax(0, 0.45fr)`;
  const top = LAYERS - 1;
  const add = (node) => { grid.append(node); return node; };
  const rowName = (text) => add(element("div", { class: "rowname", text }));
  const blank = () => add(element("div"));
  // outputs above
  rowName("outputs y_t");
  for (let t = 0; t < T; t++) {
    blank();
    add(element("div", { class: "io output", "data-t": t }));
  }
  blank();
  for (let k = top; k >= 0; k--) {
    rowName("");
    for (let t = 0; t < T; t++) { blank(); add(element("div", { class: "arrow up", "data-arrow": "up", "data-k": k + 1 })); }
    blank();
    rowName(`layer ${k}\nn_${k} = ${CFG.n[k]}`);
    for (let t = 0; t < T; t++) {
      add(element("div", { class: "arrow right", "data-arrow": "right", "data-k": k }));
      const node = add(element("button", { class: "node", type: "button", "data-t": t, "data-k": k,
        "aria-label": `layer ${k}, step ${t}` }));
      node.addEventListener("click", () => openCell(t, k));
    }
    add(element("div", { class: "arrow right", "data-arrow": "right", "data-k": k }));
  }
  rowName("");
  for (let t = 0; t < T; t++) { blank(); add(element("div", { class: "arrow up", "data-arrow": "up", "data-k": 0 })); }
  blank();
  rowName("inputs x_t");
  for (let t = 0; t < T; t++) {
    blank();
    const x = lastNamed("forward", t, 0, "x_t");
    add(element("div", { class: "io" }, element("span", { text: `x_${t} ` + shapeText(x.shape) }), heatmap(x.value)));
  }
  blank();
  drawOverview();
}

function drawOverview() {
  // Redraw the nodes and the arrows' labels for the pass shown.
  const s = CFG.s;
  for (const node of document.querySelectorAll(".node")) {
    const t = Number(node.dataset.t), k = Number(node.dataset.k);
    node.textContent = "";
    for (const [part, e] of nodeParts(t, k)) {
      const label = state.pass === "forward" ? part : "d" + part;
      node.append(element("span", { class: "part" }, element("span", { text: label }), heatmap(e.value, deadRows(t))));
    }
    const dead = deadRows(t);
    if (dead.length) node.append(element("span", { class: "carried", text: `rows ${dead.join(", ")} carried` }));
    node.classList.toggle("open", t === state.t && k === state.k);
  }
  for (const io of document.querySelectorAll(".io.output")) {
    // forward: the output y_t (zero in rows past their length); backward: dL/dy_t, where BPTT starts
    const t = Number(io.dataset.t);
    const [name, value] = state.pass === "forward" ? [`y_${t}`, DATA.outputs[t]] : [`dy_${t} = d_outputs[${t}]`, DATA.d_outputs[t]];
    io.textContent = "";
    io.append(element("span", { text: `${name} ${shapeText(value.shape)}` }), heatmap(value, deadRows(t)));
  }
  for (const arrow of document.querySelectorAll(".arrow")) {
    const k = Number(arrow.dataset.k);
    arrow.textContent = "";
    if (arrow.dataset.arrow === "right") arrow.append(...arrowText("right", CFG.state_parts.slice().reverse(), [s, CFG.n[k]]));
    else arrow.append(...arrowText("up", [k === 0 ? "x" : "h"], [s, k === 0 ? CFG.m : CFG.n[k - 1]]));
  }
  const hint = state.pass === "forward"
    ? "Each node is one layer at one step: its h" + (IS_LSTM ? " and c" : "") + " as heatmaps (batch rows down, units across; blue below zero, red above). Click a node to open it."
    : "Backward: each node shows the gradient dh its step receives (from its output and from step t+1)" + (IS_LSTM ? " and dc" : "") + "; the arrows carry gradients down and to the left.";
  document.getElementById("overview-hint").textContent = hint + (CFG.lengths ? ` sequence_length ${JSON.stringify(CFG.lengths)}: rows at and past their length are tinted amber (their state is carried).` : "");
}

// ---- one cell, opened ---------------------------------------------------------------------------

function quantityCard(e, carried) {
  const card = element("div", { class: "q", tabindex: "0", "data-index": e.index === undefined ? "" : e.index,
    "data-name": e.name, "data-shape": shapeText(e.shape) });
  card.append(element("div", { class: "head" },
    element("span", { class: "label", text: e.label }),
    element("span", { class: "shape", text: shapeText(e.shape) }),
    element("span", { class: "symbol", text: e.symbol || "" })));
  card.append(heatmap(e.value, e.shape.length === 2 && e.shape[0] === CFG.s ? carried : null),
    element("div", { class: "range", text: rangeText(e.value) }));
  const equation = e.formula ? `${e.equation}: ${e.formula}` : e.equation;
  if (equation) card.append(element("div", { class: "eq", text: equation }));
  if (e.meaning || e.note) card.append(element("div", { class: "note", text: [e.meaning, e.note].filter(Boolean).join("; ") }));
  card.append(element("code", { class: "src", text: `${where(e)}:  ${e.where.text}` }));
  const select = () => { state.selected = e; showNumbers(); markCards(); };
  card.addEventListener("click", select);
  card.addEventListener("keydown", (event) => { if (event.key === "Enter" || event.key === " ") { event.preventDefault(); select(); } });
  card.entry = e;
  return card;
}

function openCell(t, k) {
  state.t = t;
  state.k = k;
  state.contribLayer = k;
  const body = document.getElementById("cell-body");
  body.textContent = "";
  const carried = deadRows(t);
  const m = k === 0 ? CFG.m : CFG.n[k - 1];
  const title = `layer ${k}, step ${t}: ${CFG.kind}, s = ${CFG.s}, m_${k} = ${m}, n_${k} = ${CFG.n[k]}` +
    (carried.length ? ` (rows ${carried.join(", ")} past their length: computed, then carried over)` : "");
  document.getElementById("cell-title").textContent = (state.pass === "forward" ? "Forward, " : "Backward, ") + title;
  const entries = entriesOf(state.pass, t, k);
  drawCell(k);
  if (state.pass === "forward") {
    const handed = entries.filter((e) => e.note.startsWith("handed"));
    body.append(element("h3", { text: "What comes in" }), ...handed.map((e) => quantityCard(e, carried)));
    body.append(element("h3", { text: "What the step computes, in order" }),
      ...entries.filter((e) => !handed.includes(e)).map((e) => quantityCard(e, carried)));
    body.append(element("h3", { text: "Weight blocks and biases (the same at every step)" }),
      ...DATA.layers[k].params.map((e) => quantityCard(e, null)));
  } else {
    body.append(element("h3", { text: "What the step receives and computes, in the order BPTT runs" }),
      ...entries.map((e) => quantityCard(e, carried)));
  }
  if (!state.selected || !entries.concat(DATA.layers[k].params).includes(state.selected)) state.selected = entries[entries.length - 1];
  markCards();
  showNumbers();
  drawOverview();
  markCurrent();
  drawContributions();
}

function markCards() {
  // The selected quantity framed blue, the stepped one orange: on the cards and on the drawing.
  const current = SEQUENCE[state.pos];
  for (const label of SVG.querySelectorAll(".qd")) {
    label.classList.toggle("selected", Boolean(state.selected) && label.entry.name === state.selected.name && label.entry.pass === state.selected.pass);
    label.classList.toggle("current", Boolean(current) && current.pass === state.pass && current.t === state.t && current.k === state.k && label.dataset.name === current.name);
  }
  for (const card of document.querySelectorAll(".q")) {
    card.classList.toggle("selected", card.entry === state.selected);
    card.classList.toggle("current", state.pos >= 0 && card.entry === SEQUENCE[state.pos]);
  }
}

function showNumbers() {
  // The selected quantity's numbers: 4 decimals shown, every digit in the cell's data-v and title.
  const box = document.getElementById("numbers");
  box.textContent = "";
  const e = state.selected;
  if (!e) return;
  const [rows, cols] = rowsAndColumns(e.shape);
  const v = values(e.value);
  const carried = e.shape.length === 2 && e.shape[0] === CFG.s ? deadRows(e.t) : [];
  const table = element("table", { id: "numbers-table", "data-name": e.name, "data-label": e.label,
    "data-t": e.t === undefined ? "" : e.t, "data-k": e.k === undefined ? "" : e.k, "data-pass": e.pass || "forward" });
  const head = element("tr", {}, element("th", { text: "" }));
  for (let c = 0; c < cols; c++) head.append(element("th", { text: c }));
  table.append(head);
  for (let r = 0; r < rows; r++) {
    const tr = element("tr", carried.includes(r) ? { class: "carried" } : {}, element("th", { text: r }));
    for (let c = 0; c < cols; c++) {
      const x = v[r * cols + c];
      tr.append(element("td", { "data-v": String(x), title: String(x), text: x.toFixed(4) }));
    }
    table.append(tr);
  }
  box.append(element("p", { text: `${e.label} ${shapeText(e.shape)}: every number (hover one for all its digits)` +
    (carried.length ? `; rows ${carried.join(", ")} are past their length` : "") }), element("div", { class: "box" }, table));
}

// ---- the opened cell, drawn ---------------------------------------------------------------------
// Laid out as the cell figures of lstm_numpy.plot: lines carry the quantities, pink circles are
// the element-wise operations, yellow boxes the gates with their weight blocks. Each quantity is a
// label with its shape that selects its card, like a click on the card itself.

const SVG = document.getElementById("cell-drawing");

function svg(tag, attributes, ...children) {
  // An SVG element (in the drawing's own namespace), attributes set as given.
  const node = document.createElementNS(SVG.namespaceURI, tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

function wire(points, c = false, head = true) {
  // A line through the points, with an arrowhead at the last one unless head is false.
  SVG.append(svg("polyline", { class: c ? "wire c" : "wire", points: points.map((p) => p.join(",")).join(" ") }));
  if (!head) return;
  const [[x0, y0], [x1, y1]] = points.slice(-2);
  const d = Math.hypot(x1 - x0, y1 - y0), ux = (x1 - x0) / d, uy = (y1 - y0) / d;
  const tip = [x1, y1], left = [x1 - 10 * ux - 5 * uy, y1 - 10 * uy + 5 * ux], right = [x1 - 10 * ux + 5 * uy, y1 - 10 * uy - 5 * ux];
  SVG.append(svg("polygon", { class: "head", points: [tip, left, right].map((p) => p.join(",")).join(" ") }));
}

function dot(x, y) { SVG.append(svg("circle", { class: "dot", cx: x, cy: y, r: 3.5 })); }

function op(x, y, symbol) {
  // An element-wise operation: x, +, tanh, 1-.
  SVG.append(svg("g", { class: "op" }, svg("circle", { cx: x, cy: y, r: 13 }),
    svg("text", { x, y: y + 4.5, "text-anchor": "middle", "font-size": symbol.length > 2 ? 10 : 15, text: symbol })));
}

function paramText(k, name) {
  const e = DATA.layers[k].params.find((p) => p.name === name);
  return e ? `${e.label} ${shapeText(e.shape)}` : name;
}

function gateBox(x, y, width, lines) {
  // A gate: its activation, then the weight blocks and bias it applies, with their shapes.
  const height = 18 * lines.length + 8;
  const box = svg("g", { class: "box" }, svg("rect", { x: x - width / 2, y, width, height, rx: 5 }));
  lines.forEach((text, i) => box.append(svg("text", { x, y: y + 18 * i + 18, "text-anchor": "middle", "font-size": 12, text })));
  SVG.append(box);
}

function quantity(x, y, names, anchor = "start") {
  // One quantity: its label and shape, framed; names is [forward name, backward name] (null: not drawn).
  const name = names[state.pass === "forward" ? 0 : 1];
  const e = name && lastNamed(state.pass, state.t, state.k, name);
  if (!e) return;
  const g = svg("g", { class: "qd", tabindex: "0", role: "button", "data-name": name,
    "aria-label": `${e.label} ${shapeText(e.shape)}: show its card` });
  const text = svg("text", { x, y, "text-anchor": anchor, text: `${e.label} ${shapeText(e.shape)}` });
  g.append(svg("rect", { rx: 4 }), text);
  SVG.append(g);
  const box = text.getBBox();
  Object.entries({ x: box.x - 3, y: box.y - 1, width: box.width + 6, height: box.height + 2 })
    .forEach(([attribute, v]) => g.firstChild.setAttribute(attribute, v));
  const select = () => { state.selected = e; showNumbers(); markCards(); };
  g.addEventListener("click", select);
  g.addEventListener("keydown", (event) => { if (event.key === "Enter" || event.key === " ") { event.preventDefault(); select(); } });
  g.entry = e;
}

function upward(k) { return k === LAYERS - 1 ? "\u2191 output y_t" : `\u2191 to layer ${k + 1}`; }

function drawLstm(k) {
  // The c line along the top, the [x_t, h_{t-1}] bus along the bottom feeding the four gates.
  const act = (gate) => (gate === "g" ? "tanh" : "\u03c3");
  wire([[20, 50], [248, 50]], true); op(260, 50, "\u00d7"); wire([[272, 50], [448, 50]], true); op(460, 50, "+");
  wire([[472, 50], [960, 50]], true); dot(800, 50);
  wire([[800, 50], [800, 82]], true); op(800, 95, "tanh"); wire([[800, 108], [800, 138]]); op(800, 150, "\u00d7");
  wire([[20, 265], [680, 265]], false, false); wire([[170, 310], [170, 265]], false, false); dot(170, 265);
  const centres = { f: 260, i: 400, g: 540, o: 680 };
  for (const [gate, x] of Object.entries(centres)) {
    wire([[x, 265], [x, 232]]);
    gateBox(x, 170, 128, [act(gate), paramText(k, `w_${gate}`), paramText(k, `b_${gate}`)]);
  }
  wire([[260, 170], [260, 63]]); op(460, 110, "\u00d7"); wire([[460, 97], [460, 63]]);
  wire([[400, 170], [400, 110], [447, 110]]); wire([[540, 170], [540, 110], [473, 110]]);
  wire([[680, 170], [680, 150], [787, 150]]);
  wire([[800, 163], [800, 265], [980, 265]]); dot(860, 265); wire([[860, 265], [860, 8]]);
  quantity(20, 40, ["c_{t-1}", "dc_prev"]); quantity(980, 42, ["c_t", "dc_next"], "end");
  quantity(560, 40, [null, "dc"]); quantity(780, 99, ["tanh(c_t)", null], "end");
  quantity(266, 132, ["f_t", "df"]); quantity(406, 150, ["i_t", "di"]);
  quantity(546, 132, ["g_t", "dg"]); quantity(686, 140, ["o_t", "do"]);
  quantity(20, 255, ["h_{t-1}", "dh_prev"]); quantity(980, 255, ["h_t", "dh_next"], "end");
  quantity(980, 287, [null, "dh"], "end"); quantity(176, 305, ["x_t", "dx"]);
  quantity(176, 283, ["[x_t, h_{t-1}]", null]);
  quantity(852, 20, ["h_t", "d_output"], "end");
  SVG.append(svg("text", { x: 868, y: 20, "font-size": 12, text: upward(k) }));
}

function drawGru(k) {
  // The h line along the top, mixed as (1 - z) n + z h_{t-1}; the r and z gates on the bus.
  const before = CFG.options.reset_after === false;
  wire([[20, 60], [748, 60]], false, false); op(760, 60, "\u00d7"); wire([[772, 60], [868, 60]]); op(880, 60, "+");
  wire([[892, 60], [980, 60]]); dot(120, 60); dot(540, 60); dot(930, 60); wire([[930, 60], [930, 8]]);
  wire([[120, 60], [120, 265], [400, 265]], false, false); wire([[170, 310], [170, 265]], false, false); dot(170, 265);
  for (const [gate, x] of [["z", 260], ["r", 400]]) {
    wire([[x, 265], [x, 240]]);
    gateBox(x, 170, 128, ["\u03c3", paramText(k, `W_x,${gate}`), paramText(k, `W_h,${gate}`)]);
  }
  wire([[260, 170], [260, 95], [820 - 13, 95]]); dot(760, 95); wire([[760, 95], [760, 73]]);
  op(820, 95, "1\u2212"); wire([[833, 95], [867, 95]]); op(880, 95, "\u00d7"); wire([[880, 82], [880, 73]]);
  op(540, 155, "\u00d7"); wire([[400, 170], [400, 155], [527, 155]]);
  dot(170, 295);
  if (before) {
    wire([[540, 60], [540, 142]]); wire([[540, 168], [540, 215], [600, 215]]);
    gateBox(690, 182, 180, ["tanh", paramText(k, "W_x,n"), paramText(k, "W_h,n")]);
    wire([[170, 295], [690, 295], [690, 244]]); wire([[780, 215], [880, 215], [880, 108]]);
    quantity(556, 140, ["r*h_{t-1}", "drh"]);
  } else {
    wire([[540, 60], [540, 104]]); gateBox(540, 104, 170, [paramText(k, "W_h,n")]); wire([[540, 130], [540, 142]]);
    wire([[540, 168], [540, 215], [647, 215]]); op(660, 215, "+");
    wire([[170, 295], [660, 295], [660, 289]]);
    gateBox(660, 262, 170, [paramText(k, "W_x,n")]); wire([[660, 262], [660, 228]]);
    wire([[673, 215], [737, 215]]); op(750, 215, "tanh"); wire([[763, 215], [880, 215], [880, 108]]);
  }
  quantity(20, 50, ["h_{t-1}", "dh_prev"]); quantity(995, 84, ["h_t", "dh_next"], "end");
  quantity(924, 42, [null, "dh"], "end"); quantity(922, 20, ["h_t", "d_output"], "end");
  SVG.append(svg("text", { x: 936, y: 20, "font-size": 12, text: k === LAYERS - 1 ? "\u2191 y_t" : `\u2191 layer ${k + 1}` }));
  quantity(266, 120, ["z_t", "dz"]); quantity(406, 146, ["r_t", "dr"]); quantity(888, 170, ["n_t", "dn"]);
  quantity(176, 318, ["x_t", "dx"]); quantity(176, 283, ["[x_t, h_{t-1}]", null]);
}

function drawRnn(k) {
  // One box: h_t = act([x_t, h_{t-1}] w + b).
  wire([[20, 200], [400, 200]], false, false); wire([[170, 250], [170, 200]], false, false); dot(170, 200);
  wire([[400, 200], [400, 162]]); gateBox(400, 100, 200, [CFG.options.activation || "tanh", paramText(k, "w"), paramText(k, "b")]);
  wire([[400, 100], [400, 50], [980, 50]]); dot(760, 50); wire([[760, 50], [760, 8]]);
  quantity(20, 190, ["h_{t-1}", "dh_prev"]); quantity(980, 40, ["h_t", "dh_next"], "end");
  quantity(410, 40, [null, "dh"]); quantity(176, 245, ["x_t", "dx"]); quantity(176, 218, ["[x_t, h_{t-1}]", null]);
  quantity(752, 22, ["h_t", "d_output"], "end");
  SVG.append(svg("text", { x: 768, y: 22, "font-size": 12, text: upward(k) }));
}

function drawCell(k) {
  // The opened cell's drawing for its kind, in the pass shown.
  SVG.textContent = "";
  const height = { lstm: 320, gru: 330, rnn: 260 }[CFG.kind] || 260;
  SVG.setAttribute("viewBox", `0 0 1000 ${height}`);
  SVG.setAttribute("data-kind", CFG.kind);
  ({ lstm: drawLstm, gru: drawGru, rnn: drawRnn })[CFG.kind](k);
}

// ---- the switch and the stepping ----------------------------------------------------------------

function pressPassButtons() {
  document.getElementById("pass-forward").setAttribute("aria-pressed", String(state.pass === "forward"));
  document.getElementById("pass-backward").setAttribute("aria-pressed", String(state.pass === "backward"));
}

function setPass(pass) {
  if (state.pass === pass) return;
  state.pass = pass;
  pressPassButtons();
  state.selected = null;
  openCell(state.t, state.k);
}

function goTo(pos, scroll = true) {
  // Show the quantity at position pos of the stepping order: its pass, node, card, equation, line.
  state.pos = Math.max(-1, Math.min(SEQUENCE.length - 1, pos));
  const e = SEQUENCE[state.pos];
  if (e) {
    const passChanged = state.pass !== e.pass;
    state.pass = e.pass;
    pressPassButtons();
    state.selected = e;
    if (passChanged || state.t !== e.t || state.k !== e.k) openCell(e.t, e.k);
    else { markCards(); showNumbers(); markCurrent(); }
    const card = [...document.querySelectorAll(".q")].find((c) => c.entry === e);
    if (card && scroll) card.scrollIntoView({ block: "nearest" });
  } else {
    markCurrent();
  }
  showNow();
}

function markCurrent() {
  const e = SEQUENCE[state.pos];
  for (const node of document.querySelectorAll(".node")) {
    node.classList.toggle("current", Boolean(e) && e.pass === state.pass && Number(node.dataset.t) === e.t && Number(node.dataset.k) === e.k);
  }
  markCards();
}

function showNow() {
  const now = document.getElementById("now");
  const e = SEQUENCE[state.pos];
  const forwardCount = DATA.forward.length;
  document.getElementById("position").textContent = e
    ? `${e.pass} ${e.pass === "forward" ? state.pos + 1 : state.pos + 1 - forwardCount} of ${e.pass === "forward" ? forwardCount : SEQUENCE.length - forwardCount}`
    : `before the first of ${SEQUENCE.length} quantities (${forwardCount} forward, then ${SEQUENCE.length - forwardCount} backward)`;
  now.textContent = "";
  Object.assign(now.dataset, e ? { pos: state.pos, pass: e.pass, t: e.t, k: e.k, name: e.name, label: e.label, shape: shapeText(e.shape) } : { pos: -1 });
  if (!e) { now.textContent = "Press step (or the Right arrow) to walk through the forward pass, then BPTT."; return; }
  const equation = e.formula ? `${e.equation}: ${e.formula}` : (e.equation || e.note);
  now.append(`${e.pass === "forward" ? "Forward" : "Backward"}, step t=${e.t}, layer k=${e.k}: `,
    element("span", { class: "label", text: e.label }), ` ${shapeText(e.shape)}  ${equation ? "\u2014 " + equation : ""}`,
    element("br"), element("code", { text: `${where(e)}:  ${e.where.text}` }));
}

// ---- the contribution matrices ------------------------------------------------------------------

function drawContributions() {
  const C = DATA.contributions;
  const k = state.contribLayer;
  const buttons = document.getElementById("contrib-layers");
  if (!buttons.childElementCount) {
    for (let j = LAYERS - 1; j >= 0; j--) {
      const b = element("button", { type: "button", "data-k": j, text: `layer ${j}` });
      b.addEventListener("click", () => { state.contribLayer = j; drawContributions(); });
      buttons.append(b);
    }
  }
  for (const b of buttons.children) b.setAttribute("aria-pressed", String(Number(b.dataset.k) === k));
  const tables = document.getElementById("contrib-tables");
  tables.textContent = "";
  tables.append(matrix(C.hidden_norms, k, `||dL_t/dh_t'|| of layer ${k}: how much of the loss at step t reaches h at step t'`, "hidden"),
    matrix(C.weight_norms, k, `||step t''s share of dL_t/d${C.weight}|| of layer ${k}: what each step adds to the weight's gradient`, "weight"));
  document.getElementById("contrib-hint").textContent = `Row t: the loss on step t's output alone; column t': the step BPTT is at. ` +
    `Colour on a log scale (dark is large), one scale per matrix; grey an exact zero; blank where t' > t (a loss never reaches forward).`;
}

function matrix(encoded, k, caption, which) {
  const v = values(encoded);
  const at = (t, s) => v[(k * T + t) * T + s];
  const positive = [];
  for (let t = 0; t < T; t++) for (let s = 0; s <= t; s++) if (at(t, s) > 0) positive.push(Math.log10(at(t, s)));
  const low = Math.min(...positive), high = Math.max(...positive);
  const table = element("table", { "data-matrix": which }, element("caption", { text: caption }));
  const head = element("tr", {}, element("th", { text: "t \\ t'" }));
  for (let s = 0; s < T; s++) head.append(element("th", { text: s }));
  table.append(head);
  for (let t = 0; t < T; t++) {
    const row = element("tr", {}, element("th", { text: t }));
    for (let s = 0; s < T; s++) {
      if (s > t) { row.append(element("td", { class: "none" })); continue; }
      const x = at(t, s);
      const depth = x > 0 && high > low ? (Math.log10(x) - low) / (high - low) : (x > 0 ? 1 : 0);
      const shade = Math.round(245 - 200 * depth);
      const cell = element("td", { tabindex: "0", "data-v": String(x), title: `t=${t}, t'=${s}: ${x}`,
        class: x === 0 ? "zero" : "" });
      if (x > 0) cell.style.background = `rgb(${shade}, ${Math.round(shade * 0.9)}, ${Math.min(255, shade + 40)})`;
      const say = () => { document.getElementById("contrib-readout").textContent = `${caption.split(":")[0]}, loss at t=${t}, step t'=${s}: ${x}`; };
      cell.addEventListener("mouseenter", say);
      cell.addEventListener("focus", say);
      row.append(cell);
    }
    table.append(row);
  }
  return table;
}

// ---- keys ---------------------------------------------------------------------------------------

function onKey(event) {
  if (event.altKey || event.ctrlKey || event.metaKey) return;
  const moves = { ArrowRight: state.pos + 1, ArrowLeft: state.pos - 1, Home: 0, End: SEQUENCE.length - 1 };
  if (event.key in moves) { event.preventDefault(); goTo(moves[event.key]); }
  else if (event.key === "b" || event.key === "B") setPass(state.pass === "forward" ? "backward" : "forward");
}

// ---- the self-test (#selftest=N,M): results written into the page for a headless browser --------

function selftest(spec) {
  const [forward, back] = spec.split(",").map(Number);
  const press = (key) => document.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true }));
  const result = { sequence: SEQUENCE.length, clicked: [], stepping: {}, backward: [], backward_drawn: [] };
  const picks = () => [...SVG.querySelectorAll(".qd")].map((label, i) => {
    // click each drawn quantity (every other one by the Enter key): which card is selected then
    label.dispatchEvent(i % 2 ? new KeyboardEvent("keydown", { key: "Enter" }) : new MouseEvent("click"));
    const card = document.querySelector(".q.selected");
    return [label.dataset.name, card ? card.dataset.name : null, label.classList.contains("selected"),
      label.textContent, label.tabIndex];
  });
  for (const node of document.querySelectorAll(".node")) {
    node.click();
    result.clicked.push({ t: Number(node.dataset.t), k: Number(node.dataset.k), pass: state.pass,
      shapes: [...document.querySelectorAll(".q")].map((c) => [c.dataset.name, c.dataset.shape]),
      drawing: SVG.dataset.kind, drawn: picks() });
  }
  const shown = () => {
    // what the stepping highlights: the now line (with its equation and line), the node, the card
    const node = document.querySelector(".node.current");
    const card = document.querySelector(".q.current");
    return Object.assign({ text: document.getElementById("now").textContent,
      node: node ? [Number(node.dataset.t), Number(node.dataset.k)] : null,
      card: card ? card.dataset.name : null,
      drawn: [...SVG.querySelectorAll(".qd.current")].map((label) => label.dataset.name) }, document.getElementById("now").dataset);
  };
  for (let i = 0; i < forward; i++) press("ArrowRight");
  result.stepping.after_forward = shown();
  for (let i = 0; i < back; i++) press("ArrowLeft");
  result.stepping.after_back = shown();
  result.keyboard = { nodes: [...document.querySelectorAll(".node")].every((n) => n.tagName === "BUTTON"),
    cards: [...document.querySelectorAll(".q")].every((c) => c.tabIndex === 0),
    squares: [...document.querySelectorAll("#contrib-tables td[data-v]")].every((c) => c.tabIndex === 0) };
  document.getElementById("pass-forward").click();
  document.getElementById("pass-backward").click();
  result.pass_after_switch = state.pass;
  for (const [t, k] of [[T - 1, LAYERS - 1], [0, 0]]) {
    document.querySelector(`.node[data-t="${t}"][data-k="${k}"]`).click();
    result.backward_drawn.push({ t, k, drawn: picks() });
    for (const card of document.querySelectorAll(".q")) {
      card.click();
      const table = document.getElementById("numbers-table");
      result.backward.push({ t, k, name: table.dataset.name, index: Number(card.dataset.index), pass: table.dataset.pass,
        values: [...table.querySelectorAll("td")].map((td) => td.dataset.v) });
    }
  }
  result.resources = performance.getEntriesByType("resource").map((r) => r.name);
  result.width = { scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth };
  result.errors = ERRORS;
  const out = document.getElementById("selftest-result");
  out.textContent = JSON.stringify(result);
  out.hidden = false;
}

// ---- start --------------------------------------------------------------------------------------

function start() {
  const options = Object.entries(CFG.options).map(([name, value]) => `${name}=${value}`).join(", ");
  document.getElementById("config").textContent = `${CFG.kind}${options ? " (" + options + ")" : ""}, ` +
    `layers n = [${CFG.n.join(", ")}], s = B = ${CFG.s}, m = D = ${CFG.m}, T = ${T}` +
    (CFG.lengths ? `, sequence_length ${JSON.stringify(CFG.lengths)}` : "") +
    `; loss L = sum(outputs * d_outputs), d_outputs drawn with seed ${CFG.seed}`;
  document.getElementById("pass-forward").addEventListener("click", () => setPass("forward"));
  document.getElementById("pass-backward").addEventListener("click", () => setPass("backward"));
  document.getElementById("step-first").addEventListener("click", () => goTo(0));
  document.getElementById("step-prev").addEventListener("click", () => goTo(state.pos - 1));
  document.getElementById("step-next").addEventListener("click", () => goTo(state.pos + 1));
  document.getElementById("step-last").addEventListener("click", () => goTo(SEQUENCE.length - 1));
  document.addEventListener("keydown", onKey);
  buildOverview();
  openCell(T - 1, LAYERS - 1);
  showNow();
  // The address can open a view: #node=t,k  #pass=backward  #step=N (the N-th quantity)  #selftest=N,M
  const ask = new URLSearchParams(location.hash.slice(1));
  const node = (ask.get("node") || "").split(",").map(Number);
  if (node.length === 2 && node[0] >= 0 && node[0] < T && node[1] >= 0 && node[1] < LAYERS) openCell(node[0], node[1]);
  if (ask.get("pass") === "backward") setPass("backward");
  if (Number(ask.get("step")) > 0) goTo(Number(ask.get("step")) - 1, false);
  if (/^\d+,\d+$/.test(ask.get("selftest") || "")) selftest(ask.get("selftest"));
}

start();
