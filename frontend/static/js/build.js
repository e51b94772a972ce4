// The build page: controls that appear when they apply, a live parameter count (or the
// reason a combination cannot run, from POST /api/runs/check), and Train.
import { api } from "./api.js";
import { showPreview, showUploadError, showUploadFields, upload } from "./datasets.js";
import { drawDiagram } from "./diagram.js";
import { showPresets } from "./presets.js";
import { hashToState, specToHash } from "./state.js";

const $ = (id) => document.getElementById(id);
const datasets = JSON.parse($("datasets").textContent);
const controls = JSON.parse($("form").textContent).flatMap((group) => group.controls);
const formElement = $("build");

const PARADIGM_HINTS = {
  "one-to-one": "One input, one output: no sequence at all. The baseline that shows why order matters.",
  "one-to-many": "One input, a sequence out: each output step is fed back in as the next input.",
  "many-to-one": "A sequence in, one answer after the last step.",
  "many-to-many": "A sequence in, an answer at every step, in step with the input.",
  seq2seq: "Read the whole input (encoder), then write an output sequence (decoder).",
};

const dataset = () => datasets.find((d) => d.id === $("dataset").value);
const field = (control) => document.querySelector(`.field[data-path="${control.path}"]`);

function context() {
  const d = dataset();
  return {
    cell: $("cell").value, paradigm: $("paradigm").value, inputs: d.inputs, finite: d.finite,
    optimizer: $("optimizer").value, clip: $("clip").value,
  };
}

function applies(control, now) {
  return Object.entries(control.when).every(([key, allowed]) => allowed.includes(now[key]));
}

// Instructor flags from the URL: controls (by id, as "cell" or "dataset") hidden or locked.
const flags = { hide: [], lock: [] };
const SPECIAL_FIELDS = { dataset: "dataset-field", paradigm: "paradigm-field", name: "name-field" };

function updateControls() {
  const now = context();
  for (const control of controls) {
    field(control).hidden = !applies(control, now) || flags.hide.includes(control.id);
    const hint = document.querySelector(`[data-choice-hints-for="${control.id}"]`);
    if (hint) hint.textContent = control.choice_hints[$(control.id).value] || "";
  }
  $("paradigm-hint").textContent = PARADIGM_HINTS[now.paradigm] || "";
  drawDiagram($("diagram"), {
    paradigm: now.paradigm, cell: now.cell, layers: Number($("layers").value) || 1,
    bidirectional: $("bidirectional").checked && !field(controls.find((c) => c.id === "bidirectional")).hidden,
    attention: $("attention").checked && !field(controls.find((c) => c.id === "attention")).hidden,
  });
  // A forecast horizon only means something to a seq2seq decoder.
  const horizon = document.querySelector('[data-option-field="horizon"]');
  if (horizon) horizon.hidden = now.paradigm !== "seq2seq";
}

function showDataset() {
  const d = dataset();
  $("dataset-description").textContent = d.summary.description || "";
  const paradigm = $("paradigm");
  const previous = paradigm.value;
  paradigm.replaceChildren(...d.paradigms.map((p) => new Option(p, p)));
  if (d.paradigms.includes(previous)) paradigm.value = previous;
  const box = $("dataset-options");
  box.replaceChildren();
  for (const [name, schema] of Object.entries(d.options_schema.properties || {})) {
    const label = document.createElement("label");
    label.htmlFor = `option-${name}`;
    label.textContent = name[0].toUpperCase() + name.slice(1).replaceAll("_", " ");
    let input;
    if (schema.enum) { // a choice among words (tokens: characters or words)
      input = document.createElement("select");
      input.replaceChildren(...schema.enum.map((v) => new Option(v, v)));
      input.value = schema.default;
      input.id = `option-${name}`;
    } else {
      input = document.createElement("input");
      Object.assign(input, { type: "number", id: `option-${name}`, placeholder: `default ${schema.default}` });
      input.step = schema.type === "integer" ? "1" : "any";
      if (schema.minimum !== undefined) input.min = schema.minimum;
      if (schema.maximum !== undefined) input.max = schema.maximum;
    }
    input.dataset.option = name;
    const hint = document.createElement("p");
    hint.className = "hint";
    hint.textContent = (d.summary.options || {})[name] || "";
    const wrap = document.createElement("div");
    wrap.dataset.optionField = name;
    wrap.append(label, input, hint);
    box.append(wrap);
  }
  loadPreview(d);
}

// The preview comes with the dataset's detail, fetched once (an upload brings its own).
async function loadPreview(d) {
  if (d.preview !== undefined) return showPreview(d);
  $("dataset-preview").replaceChildren();
  Object.assign(d, await api(`/api/datasets/${d.id}`));
  if (dataset() === d) showPreview(d);
}

async function uploadClicked() {
  $("upload-error").hidden = true;
  $("upload").disabled = true;
  try {
    const d = await upload();
    datasets.push(d);
    $("dataset").append(new Option(d.name, d.id));
    $("dataset").value = d.id;
    $("upload-box").open = false;
    showDataset();
    changed();
  } catch (failure) {
    showUploadError(failure);
  } finally {
    $("upload").disabled = false;
  }
}

function specFromForm() {
  const spec = { dataset: $("dataset").value, paradigm: $("paradigm").value, dataset_options: {}, model: {}, training: {} };
  for (const input of document.querySelectorAll("[data-option]")) {
    if (input.closest("[hidden]")) continue;
    if (input.tagName === "SELECT") spec.dataset_options[input.dataset.option] = input.value;
    else if (input.value.trim() !== "") spec.dataset_options[input.dataset.option] = Number(input.value);
  }
  const now = context();
  for (const control of controls) {
    if (!applies(control, now)) continue; // a control that does not apply is not sent
    const input = $(control.id);
    const [group, name] = control.path.split(".");
    if (control.kind === "checkbox") spec[group][name] = input.checked;
    else if (control.kind === "select") spec[group][name] = input.value;
    else if (input.value.trim() !== "") spec[group][name] = Number(input.value);
  }
  const name = $("name").value.trim();
  if (name) spec.name = name;
  return spec;
}

// "model.hidden" -> #hidden, "dataset_options.length" -> #option-length
function inputFor(path) {
  const [group, name] = path.split(".");
  return group === "dataset_options" ? $(`option-${name}`) : $(name || group);
}

function showProblem(failure) {
  $("form-error").textContent = failure.message;
  $("form-error").hidden = false;
  for (const { field: path } of failure.details || []) {
    const input = inputFor(path);
    if (!input) continue;
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", "form-error");
  }
}

function clearProblems() {
  $("form-error").hidden = true;
  for (const marked of formElement.querySelectorAll("[aria-invalid]")) marked.removeAttribute("aria-invalid");
}

let checking = 0;
async function check() {
  const ticket = ++checking;
  try {
    const answer = await api("/api/runs/check", { method: "POST", body: JSON.stringify(specFromForm()) });
    if (ticket !== checking) return; // a newer check is on its way
    clearProblems();
    if (!answer.ok) {
      $("model-size").textContent = "";
      showProblem({ message: answer.error, details: answer.details });
      return;
    }
    $("model-size").textContent =
      `${answer.parameters.toLocaleString()} parameters · about ${answer.activation_mib} MiB of activations per step · ` +
      `${answer.spec.training.steps.toLocaleString()} steps`;
  } catch (failure) {
    if (ticket !== checking) return;
    clearProblems();
    $("model-size").textContent = "";
    showProblem(failure);
  }
}

let pending;
function changed() {
  updateControls();
  history.replaceState(null, "", specToHash(specFromForm(), flags));
  $("host-workshop").href = "/workshops/new" + specToHash(specFromForm(), flags);
  clearTimeout(pending);
  pending = setTimeout(check, 250);
}

async function submit(event) {
  event.preventDefault();
  const button = $("train");
  button.disabled = true;
  button.textContent = "Starting…";
  clearProblems();
  try {
    const run = await api("/api/runs", { method: "POST", body: JSON.stringify(specFromForm()) });
    window.location.assign(run.url);
  } catch (failure) {
    showProblem(failure);
    const first = formElement.querySelector("[aria-invalid]");
    if (first) first.focus();
    button.disabled = false;
    button.textContent = "Train";
  }
}

// A link's hash sets every control it names; the dataset first, since it decides the rest.
async function restore() {
  const state = hashToState(window.location.hash);
  Object.assign(flags, { hide: state.hide, lock: state.lock });
  const wanted = state.values.dataset;
  if (wanted && !datasets.some((d) => d.id === wanted)) {
    try { // someone else's upload, shared by link
      const d = await api(`/api/datasets/${encodeURIComponent(wanted)}`);
      datasets.push(d);
      $("dataset").append(new Option(d.name, d.id));
    } catch { /* gone: keep the default dataset */ }
  }
  if (datasets.some((d) => d.id === wanted)) $("dataset").value = wanted;
  showDataset();
  if (state.values.paradigm && dataset().paradigms.includes(state.values.paradigm)) $("paradigm").value = state.values.paradigm;
  for (const [key, value] of Object.entries(state.values)) {
    const input = key.startsWith("dataset_options.") ? $(`option-${key.split(".")[1]}`)
      : key === "name" ? $("name") : document.querySelector(`[data-path="${key}"]:is(input, select)`);
    if (!input) continue;
    if (input.type === "checkbox") input.checked = value === "true";
    else input.value = value;
  }
  for (const id of [...flags.hide, ...flags.lock]) {
    const hidden = flags.hide.includes(id);
    const input = $(id) || $(`option-${id}`); // a control, or a dataset option ("window")
    const special = $(SPECIAL_FIELDS[id] || "") || input?.closest("[data-option-field]");
    if (special && hidden) special.hidden = true; // controls hide in updateControls
    if (!hidden && input) input.disabled = true; // locked: shown, but fixed
    if (id === "dataset") $("upload-box").hidden = true;
  }
}

await restore();
updateControls();
check();
showPresets(JSON.parse($("preset-data").textContent));
// Tick recent runs, then compare them side by side.
const picked = () => [...document.querySelectorAll("input.pick:checked")].map((box) => box.value);
for (const box of document.querySelectorAll("input.pick")) {
  box.addEventListener("change", () => { $("compare-picked").disabled = picked().length < 2; });
}
$("compare-picked")?.addEventListener("click", () => window.location.assign(`/compare/?runs=${picked().join(",")}`));
// A link to another setup on this same page (a preset's "open in the builder") sets it up.
window.addEventListener("hashchange", () => window.location.reload());
$("dataset").addEventListener("change", () => { showDataset(); changed(); });
// The upload box sits in the form, but its fields are not the model's: they do not re-check.
const modelField = (event) => !event.target.closest("#upload-box");
formElement.addEventListener("input", (event) => modelField(event) && changed());
formElement.addEventListener("change", (event) => modelField(event) && changed());
$("upload-kind").addEventListener("change", showUploadFields);
$("upload").addEventListener("click", uploadClicked);
showUploadFields();
formElement.addEventListener("submit", submit);
