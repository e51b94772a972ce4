// The build page: a form that becomes a run spec, posted to /api/runs.
import { api } from "./api.js";

const datasets = JSON.parse(document.getElementById("datasets").textContent);
const defaults = JSON.parse(document.getElementById("defaults").textContent);
const limits = JSON.parse(document.getElementById("limits").textContent);
const form = document.getElementById("build");
const $ = (id) => document.getElementById(id);

const CELL_HINTS = {
  rnn: "h_t = tanh(W_xh x_t + W_hh h_{t-1} + b): one matrix carries all memory, so gradients vanish over long spans.",
  lstm: "Forget, input and output gates guard a cell state that gradients can flow along for many steps.",
  gru: "Reset and update gates blend old state and a candidate: LSTM-like memory with 3/4 of the weights.",
};

function setBounds(input, bounds) {
  if (!bounds) return;
  if (bounds.ge !== undefined) input.min = bounds.ge;
  if (bounds.le !== undefined) input.max = bounds.le;
}

function fillDefaults() {
  for (const group of ["model", "training"]) {
    for (const [name, value] of Object.entries(defaults[group])) {
      const input = $(name);
      if (!input) continue;
      input.value = value;
      setBounds(input, limits[group][name]);
    }
  }
  $("dataset").value = defaults.dataset;
}

function showDataset() {
  const dataset = datasets.find((d) => d.id === $("dataset").value);
  $("dataset-description").textContent = dataset.summary.description || "";
  const box = $("dataset-options");
  box.replaceChildren();
  for (const [name, help] of Object.entries(dataset.summary.options || {})) {
    const label = document.createElement("label");
    label.htmlFor = `option-${name}`;
    label.textContent = name[0].toUpperCase() + name.slice(1);
    const input = document.createElement("input");
    input.type = "number";
    input.id = `option-${name}`;
    input.dataset.option = name;
    input.placeholder = "default";
    const hint = document.createElement("p");
    hint.className = "hint";
    hint.textContent = help;
    box.append(label, input, hint);
  }
}

function number(id) {
  const value = $(id).value.trim();
  return value === "" ? undefined : Number(value);
}

function specFromForm() {
  const options = {};
  for (const input of document.querySelectorAll("[data-option]")) {
    if (input.value.trim() !== "") options[input.dataset.option] = Number(input.value);
  }
  const dataset = datasets.find((d) => d.id === $("dataset").value);
  const spec = {
    dataset: dataset.id,
    dataset_options: options,
    paradigm: dataset.paradigms[0],
    model: { cell: $("cell").value, layers: number("layers"), hidden: number("hidden") },
    training: {
      steps: number("steps"), batch_size: number("batch_size"), lr: number("lr"), seed: number("seed"),
    },
  };
  const name = $("name").value.trim();
  if (name) spec.name = name;
  return spec;
}

// "model.hidden" -> #hidden, "dataset_options.length" -> #option-length
function markInvalid(field) {
  const [group, name] = field.split(".");
  const input = group === "dataset_options" ? $(`option-${name}`) : $(name || group);
  if (!input) return;
  input.setAttribute("aria-invalid", "true");
  input.setAttribute("aria-describedby", "form-error");
  input.focus();
}

async function submit(event) {
  event.preventDefault();
  const button = $("train");
  const error = $("form-error");
  button.disabled = true;
  button.textContent = "Starting…";
  error.hidden = true;
  for (const marked of form.querySelectorAll("[aria-invalid]")) marked.removeAttribute("aria-invalid");
  try {
    const run = await api("/api/runs", { method: "POST", body: JSON.stringify(specFromForm()) });
    window.location.assign(run.url);
  } catch (failure) {
    error.textContent = failure.message;
    error.hidden = false;
    for (const { field } of failure.details) markInvalid(field);
    button.disabled = false;
    button.textContent = "Train";
  }
}

fillDefaults();
showDataset();
$("cell").value = defaults.model.cell;
$("cell-hint").textContent = CELL_HINTS[$("cell").value];
$("cell").addEventListener("change", () => { $("cell-hint").textContent = CELL_HINTS[$("cell").value]; });
$("dataset").addEventListener("change", showDataset);
form.addEventListener("submit", submit);
