// One step's arithmetic (the `explain` of POST /api/runs/{id}/look): for each chosen unit, a
// table of the named terms the server returns, and the cell's equations written out with
// those numbers, e.g. "c_t = f⊙c_{t−1} + i⊙g = 0.930×0.410 + 0.120×0.880 = 0.487".

// Three decimals: enough to recombine the terms by hand within rounding.
export const num = (v) => (v !== 0 && (Math.abs(v) >= 1000 || Math.abs(v) < 0.001) ? v.toExponential(2) : v.toFixed(3));
// A factor in a product: negative numbers in brackets.
const factor = (v) => (v < 0 ? `(${num(v)})` : num(v));
// A sum of terms: "0.120 − 0.300 + 0.500".
const sum = (terms) => terms.map((v, i) => (i === 0 ? num(v) : `${v < 0 ? "−" : "+"} ${num(Math.abs(v))}`)).join(" ");
const sigmoid = (v) => 1 / (1 + Math.exp(-v));
const ACTIVATIONS = { σ: sigmoid, tanh: Math.tanh, relu: (v) => Math.max(0, v) };

// "= σ(pre) = value", and where an intervention held the value, what it would have been.
function squashed(name, pre, value) {
  const natural = ACTIVATIONS[name](pre);
  const held = Math.abs(natural - value) > 5e-4 ? ` → held at ${num(value)} by an intervention` : "";
  return `${name}(${num(pre)}) = ${num(natural)}${held}`;
}

const GATE_SQUASH = { i: "σ", f: "σ", g: "tanh", o: "σ", r: "σ", z: "σ", n: "tanh" };

function lstmEquations(u) {
  const gates = ["i", "f", "g", "o"].map((g) =>
    `${g} = ${GATE_SQUASH[g]}(W·x + U·h + b) = ${GATE_SQUASH[g]}(${sum([u.x_term[g], u.h_term[g], u.bias[g]])}) = ${squashed(GATE_SQUASH[g], u.pre[g], u[g])}`);
  return [
    ...gates,
    `c_t = f⊙c_{t−1} + i⊙g = ${factor(u.f)}×${factor(u.c_prev)} + ${factor(u.i)}×${factor(u.g)} = ${num(u.c)}`,
    `h_t = o⊙tanh(c_t) = ${factor(u.o)}×tanh(${num(u.c)}) = ${factor(u.o)}×${factor(u.tanh_c)} = ${num(u.h)}`,
  ];
}

function gruEquations(u) {
  const gate = (g) =>
    `${g} = σ(W·x + b_x + U·h + b_h) = σ(${sum([u.x_term[g], u.bias_x[g], u.h_term[g], u.bias_h[g]])}) = ${squashed("σ", u.pre[g], u[g])}`;
  return [
    gate("r"),
    gate("z"),
    `n = tanh(W·x + b_x + r⊙(U·h + b_h)) = tanh(${sum([u.x_term.n, u.bias_x.n])} + ${factor(u.r)}×(${sum([u.h_term.n, u.bias_h.n])})) = ${squashed("tanh", u.pre.n, u.n)}`,
    `h_t = (1 − z)⊙n + z⊙h_{t−1} = (1 − ${num(u.z)})×${factor(u.n)} + ${factor(u.z)}×${factor(u.h_prev)} = ${num(u.h)}`,
  ];
}

function rnnEquations(u, activation) {
  const name = activation === "relu" ? "relu" : "tanh";
  return [`h_t = ${name}(W·x_t + U·h_{t−1} + b) = ${name}(${sum([u.x_term, u.h_term, u.bias])}) = ${squashed(name, u.pre, u.h)}`];
}

// minGRU and minLSTM: no recurrent term, and a linear candidate h~.
function minGruEquations(u) {
  return [
    `z = σ(W·x + b) = σ(${sum([u.x_term.z, u.bias.z])}) = ${squashed("σ", u.pre.z, u.z)}`,
    `h~ = W·x + b = ${sum([u.x_term["h~"], u.bias["h~"]])} = ${num(u["h~"])}`,
    `h_t = (1 − z)⊙h_{t−1} + z⊙h~ = (1 − ${num(u.z)})×${factor(u.h_prev)} + ${factor(u.z)}×${factor(u["h~"])} = ${num(u.h)}`,
  ];
}

function minLstmEquations(u) {
  return [
    `f = σ(W·x + b) = σ(${sum([u.x_term.f, u.bias.f])}) = ${num(u.f)}`,
    `i = σ(W·x + b) = σ(${sum([u.x_term.i, u.bias.i])}) = ${num(u.i)}`,
    `f' = f / (f + i) = ${num(u.f)} / (${num(u.f)} + ${num(u.i)}) = ${num(u["f'"])}, i' = 1 − f' = ${num(u["i'"])}`,
    `h~ = W·x + b = ${sum([u.x_term["h~"], u.bias["h~"]])} = ${num(u["h~"])}`,
    `h_t = f'⊙h_{t−1} + i'⊙h~ = ${factor(u["f'"])}×${factor(u.h_prev)} + ${factor(u["i'"])}×${factor(u["h~"])} = ${num(u.h)}`,
  ];
}

// The selective SSM, per channel: its step, then each state number's decay and write, then
// the read-out. The output mixes every channel through W_out, so it is given, not summed.
function ssmEquations(u) {
  const natural = Math.log1p(Math.exp(u.step_pre));
  const held = Math.abs(natural - u.step) > 5e-4 ? ` → held at ${num(u.step)} by an intervention` : "";
  return [
    `Δ = softplus(W_Δ·u + b_Δ) = softplus(${num(u.step_pre)}) = ${num(natural)}${held}`,
    ...u.states.map((s) =>
      `h_${s.n} = exp(Δ·A)·h_prev + Δ·B·u = exp(${num(u.step)}×${factor(s.A)})×${factor(s.h_prev)} + ${num(u.step)}×${factor(s.B)}×${factor(u.u)} = ${factor(s.decay)}×${factor(s.h_prev)} + ${factor(s.written)} = ${num(s.h)}`),
    `y = Σ C_n·h_n + D·u = ${sum(u.states.map((s) => s.read))} + ${factor(u.D)}×${factor(u.u)} = ${num(u.y)}`,
    `gated = y·SiLU(z) = ${factor(u.y)}×SiLU(${num(u.z)}) = ${factor(u.y)}×${factor(u.silu_z)} = ${num(u.gated)}`,
    `out = W_out·gated + b = ${num(u.out)}  (a unit's output mixes every channel's gated y)`,
  ];
}

// Each state number's terms: one row per n.
const SSM_COLUMNS = [
  ["n", "n"], ["A", "A (its rate)"], ["decay", "exp(Δ·A)"], ["B", "B (written)"],
  ["written", "Δ·B·u"], ["h_prev", "h_prev"], ["h", "h"], ["C", "C (read)"], ["read", "C·h"],
];

function stateTable(u) {
  const table = document.createElement("table");
  table.className = "terms";
  table.append(cell("caption", `The ${u.states.length} state numbers of channel ${u.unit}`));
  const head = document.createElement("tr");
  head.append(...SSM_COLUMNS.map(([, label]) => cell("th", label)));
  table.append(head);
  for (const s of u.states) {
    const row = document.createElement("tr");
    row.append(
      cell("th", String(s.n)),
      ...SSM_COLUMNS.slice(1).map(([key]) => cell("td", num(s[key]), `states.${s.n}.${key}`)),
    );
    table.append(row);
  }
  return table;
}

// Each term's row label, in the words of the equations.
const TERM_NAMES = {
  x_term: "W·x_t (from the input)",
  h_term: "U·h_{t−1} (from the last step)",
  bias: "b (bias)",
  bias_x: "b_x (input bias)",
  bias_h: "b_h (recurrent bias)",
  pre: "pre-activation",
};
const GATES_OF = {
  lstm: ["i", "f", "g", "o"], gru: ["r", "z", "n"], rnn: [], mingru: ["z", "h~"], minlstm: ["f", "i", "h~"], ssm: [],
};
const STATES_OF = {
  lstm: ["i", "f", "g", "o", "c_prev", "c", "h_prev", "h"],
  gru: ["r", "z", "n", "h_prev", "h"],
  rnn: ["x_term", "h_term", "bias", "pre", "h_prev", "h"],
  mingru: ["z", "h~", "h_prev", "h"],
  minlstm: ["f", "i", "f'", "i'", "h~", "h_prev", "h"],
  ssm: ["u", "step", "D", "y", "z", "silu_z", "gated", "out"],
};

function cell(tag, text, term) {
  const node = document.createElement(tag);
  node.textContent = text;
  if (term) node.dataset.term = term;
  return node;
}

// The per-gate terms: one row per term, one column per gate.
function gateTable(explained, u) {
  const gates = GATES_OF[explained.cell];
  const table = document.createElement("table");
  table.className = "terms";
  table.append(cell("caption", `The terms of each gate, unit ${u.unit}`));
  const head = document.createElement("tr");
  head.append(cell("th", "term"), ...gates.map((g) => cell("th", g)));
  table.append(head);
  for (const term of Object.keys(TERM_NAMES).filter((t) => typeof u[t] === "object")) {
    const row = document.createElement("tr");
    row.append(cell("th", TERM_NAMES[term]), ...gates.map((g) => cell("td", num(u[term][g]), `${term}.${g}`)));
    table.append(row);
  }
  return table;
}

// The unit's values: gates, states before and after.
function values(explained, u) {
  const list = document.createElement("dl");
  list.className = "terms";
  for (const name of STATES_OF[explained.cell]) {
    list.append(cell("dt", name), cell("dd", num(u[name]), name));
  }
  return list;
}

export function showExplained(container, explained) {
  const equations = {
    lstm: lstmEquations, gru: gruEquations, rnn: rnnEquations, mingru: minGruEquations, minlstm: minLstmEquations,
    ssm: ssmEquations,
  }[explained.cell];
  const blocks = explained.units.map((u) => {
    const block = document.createElement("section");
    block.className = "explained";
    block.dataset.unit = u.unit;
    block.append(cell("h4", `Unit ${u.unit} at step ${explained.t} (layer ${explained.layer}${explained.direction === "backward" ? ", backward" : ""})`));
    if (GATES_OF[explained.cell].length) block.append(gateTable(explained, u));
    if (u.states) block.append(stateTable(u));
    block.append(values(explained, u));
    const written = document.createElement("ol");
    written.className = "equations";
    written.append(...equations(u, explained.activation).map((text) => cell("li", text)));
    block.append(written);
    return block;
  });
  container.replaceChildren(...blocks);
}
