// Interventions for "Ask the model why": a small form that adds up to eight changes (hold a
// gate, set a hidden unit, silence an attention head) to the list every look sends, and the
// difference they make inside (after − before, the causal cone of the change).
import { plotly } from "./plotly_loader.js";
import { shortNumber, summarize } from "./chart_summary.js";

const $ = (id) => document.getElementById(id);

// Blue below zero, red above, white at zero: untouched cells disappear.
const DIVERGING = [[0, "#2166ac"], [0.5, "#f7f7f7"], [1, "#b2182b"]];
const plain = (v) => (v === 0 ? "0" : shortNumber(v));

const KINDS = {
  clamp: "Hold a gate",
  unit: "Set a hidden unit",
  head: "Silence an attention head",
};

// "3-10, 12" -> [3, ..., 10, 12]; "" or "all" -> null (every one). Throws a sentence.
export function parseList(text, field) {
  const trimmed = text.trim();
  if (!trimmed || trimmed.toLowerCase() === "all") return null;
  const numbers = [];
  for (const piece of trimmed.split(/[\s,]+/).filter(Boolean)) {
    const range = /^(\d+)\s*[-–]\s*(\d+)$/.exec(piece);
    if (range) {
      const [from, to] = [Number(range[1]), Number(range[2])];
      if (to < from) throw new Error(`${field}: "${piece}" runs backwards; write the smaller number first.`);
      if (to - from > 1000) throw new Error(`${field}: "${piece}" is too long a range.`);
      for (let n = from; n <= to; n++) numbers.push(n);
    } else if (/^\d+$/.test(piece)) {
      numbers.push(Number(piece));
    } else {
      throw new Error(`${field}: "${piece}" is neither a number nor a range like 3-10.`);
    }
  }
  return [...new Set(numbers)];
}

// "interventions[1].gate: ..." -> "Intervention 2, gate: ...": the server's sentence, with
// its field named the way the list on the page numbers them.
const EXPLAIN_FIELDS = { t: "Time step t", layer: "Layer", units: "Units", direction: "Direction" };
export function plainField(message) {
  return message
    .replace(/^interventions\[(\d+)\]\.?(\w*):/, (_, index, field) => `Intervention ${Number(index) + 1}${field ? `, ${field}` : ""}:`)
    .replace(/^explain\.(\w+):/, (_, field) => `${EXPLAIN_FIELDS[field] || field}:`)
    .replace(/^explain: /, "");
}

// How one change reads in the list.
function described(change) {
  const steps = change.steps ? ` on steps ${compact(change.steps)}` : " on every step";
  if (change.kind === "clamp") {
    const units = change.units ? `units ${compact(change.units)}` : "all units";
    return `Layer ${change.layer}: hold the ${change.gate} gate at ${change.value} for ${units}${steps}`;
  }
  if (change.kind === "unit") return `Layer ${change.layer}: set unit ${change.unit} to ${change.value}${steps}`;
  return `Layer ${change.layer}: silence head ${change.head} of the ${change.attention} attention`;
}

// [3, 4, 5, 9] -> "3-5, 9"
function compact(numbers) {
  const parts = [];
  for (const n of [...numbers].sort((a, b) => a - b)) {
    const last = parts.at(-1);
    if (last && n === last[1] + 1) last[1] = n;
    else parts.push([n, n]);
  }
  return parts.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(", ");
}

export class Interventions {
  // options: the page's ask options; onChange: called when the list changes.
  constructor(options, onChange) {
    this.options = options;
    this.onChange = onChange;
    this.changes = [];
    if (!$("change-kind")) return; // a bag of words has nothing to change
    const kinds = options.recurrent ? ["clamp", "unit"] : options.cell === "transformer" ? ["head"] : [];
    $("change-kind").replaceChildren(...kinds.map((k) => new Option(KINDS[k], k)));
    $("change-layer").replaceChildren(...Array.from({ length: options.layers }, (_, i) => new Option(`${i}`, i)));
    $("change-gate").replaceChildren(...Object.entries(options.gates).map(([name, letter]) => new Option(`${name} (${letter})`, name)));
    $("change-kind").addEventListener("change", () => this.showFields());
    $("change-add").addEventListener("click", () => this.add());
    this.showFields();
  }

  showFields() {
    const kind = $("change-kind").value;
    for (const field of document.querySelectorAll("#ask-changes [data-for]")) {
      field.hidden = !field.dataset.for.split(" ").includes(kind);
    }
  }

  // The change the form describes, checked as far as the page can; throws a sentence.
  read() {
    const kind = $("change-kind").value;
    const layer = Number($("change-layer").value);
    if (kind === "head") {
      const head = $("change-head").valueAsNumber;
      if (!Number.isInteger(head)) throw new Error("Head: type a whole number.");
      return { kind, layer, head, attention: $("change-attention")?.value ?? "self" };
    }
    const value = $("change-value").valueAsNumber;
    if (!Number.isFinite(value)) throw new Error("Value: type a number.");
    const steps = parseList($("change-steps").value, "Steps");
    if (kind === "unit") {
      const unit = $("change-unit").valueAsNumber;
      if (!Number.isInteger(unit)) throw new Error("Unit: type a whole number.");
      return { kind, layer, unit, value, ...(steps ? { steps } : {}) };
    }
    const units = parseList($("change-units").value, "Units");
    return { kind, layer, gate: $("change-gate").value, value, ...(steps ? { steps } : {}), ...(units ? { units } : {}) };
  }

  add() {
    this.showError("");
    if (this.changes.length >= this.options.max_interventions) {
      this.showError(`At most ${this.options.max_interventions} interventions at once: remove one first.`);
      return;
    }
    try {
      this.changes.push(this.read());
    } catch (failure) {
      this.showError(failure.message);
      return;
    }
    this.render();
    this.onChange();
  }

  remove(index) {
    this.changes.splice(index, 1);
    this.render();
    this.onChange();
    $("change-add").focus(); // the removed button is gone: keep the keyboard in the form
  }

  clear() {
    this.changes = [];
    this.render();
  }

  render() {
    $("change-list").replaceChildren(...this.changes.map((change, index) => {
      const item = document.createElement("li");
      const remove = Object.assign(document.createElement("button"), { type: "button", textContent: "Remove" });
      remove.setAttribute("aria-label", `Remove intervention ${index + 1}`);
      remove.addEventListener("click", () => this.remove(index));
      item.append(`${index + 1}. ${described(change)} `, remove);
      return item;
    }));
  }

  showError(message) {
    const line = $("change-error");
    if (!line) return;
    line.textContent = plainField(message);
    line.hidden = !message;
  }
}

// The steps where any state moved, from the quantized difference maps (a cell is "moved"
// when it is more than one quantization level away from zero).
export function reach(difference) {
  const moved = new Set();
  for (const map of Object.values(difference.heatmaps)) {
    const level = (map.max - map.min) / 255;
    map.z.forEach((row, i) => {
      if (row.some((q) => Math.abs(map.min + q * level) > Math.max(level, 1e-6))) moved.add(difference.time[i]);
    });
  }
  return [...moved].sort((a, b) => a - b);
}

export function readingOf(difference) {
  const moved = reach(difference);
  if (!moved.length) return "Nothing moved inside: with this input the intervention changes no state.";
  const later = moved.length - 1;
  return `The change starts at step ${moved[0]} and reaches ${later} later step${later === 1 ? "" : "s"}` +
    (later ? ` (up to step ${moved.at(-1)}).` : ".");
}

// Draw the difference map `name` (or the first there is), labelled like the probe panel.
export function showDifference(difference, name, labels) {
  $("ask-difference-box").hidden = false;
  const chosen = difference.heatmaps[name] ? name : Object.keys(difference.heatmaps)[0];
  const map = difference.heatmaps[chosen];
  const z = map.units.map((_, unit) => map.z.map((row) => map.min + (row[unit] / 255) * (map.max - map.min)));
  const largest = Math.max(Math.abs(map.min), Math.abs(map.max)) || 1;
  summarize("ask-difference", `${readingOf(difference)} ${chosen.replaceAll(".", " · ")}: after − before from ` +
    `${plain(map.min)} to ${plain(map.max)}.`);
  return plotly.react("ask-difference", [{
    type: "heatmap", z, x: labels(difference.time), y: map.units.map((u) => `unit ${u}`),
    colorscale: DIVERGING, zmin: -largest, zmax: largest, zmid: 0,
    hovertemplate: "%{x}<br>%{y}<br>after − before %{z:.3f}<extra></extra>",
  }], {
    margin: { t: 10, r: 10, b: 40, l: 50 },
    xaxis: { title: { text: "time step: input", standoff: 12 }, automargin: true, type: "category" },
    yaxis: { title: { text: `unit (${chosen.replaceAll(".", " · ")})`, standoff: 12 }, automargin: true, type: "category" },
  }, { responsive: true, displaylogo: false });
}
