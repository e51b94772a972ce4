// The build page: controls that appear when they apply, a live parameter count (or every
// reason a setup cannot run, from POST /api/runs/check), choices that cannot run greyed
// out, a live diagram whose boxes open their settings, and Train.
import { api } from "./api.js";
import {
  clearProblems, forgetRefusal, markUnavailable, markUnavailableBox, showFailure, showProblems, showRefusal,
} from "./build_checks.js";
import { cellName } from "./constants.js";
import { showPreview, showSample, showUploadError, showUploadFields, upload } from "./datasets.js";
import { drawDiagram } from "./diagram.js";
import { followRun } from "./live_runs.js";
import { rememberRun, watchRecentRuns } from "./recent_runs.js";
import { showPresets } from "./presets.js";
import { hashToState, specToHash } from "./state.js";

const $ = (id) => document.getElementById(id);
const datasets = JSON.parse($("datasets").textContent);
const controls = JSON.parse($("form").textContent).flatMap((group) => group.controls);
const formElement = $("build");

const PARADIGM_NAMES = JSON.parse($("paradigm-names").textContent);
const paradigmName = (p) => PARADIGM_NAMES[p] ?? p;

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

let drawn = "";
function updateControls() {
  const now = context();
  for (const control of controls) {
    field(control).hidden = !applies(control, now) || flags.hide.includes(control.id);
    const hint = document.querySelector(`[data-choice-hints-for="${control.id}"]`);
    if (hint) hint.textContent = control.choice_hints[$(control.id).value] || "";
  }
  $("paradigm-hint").textContent = PARADIGM_HINTS[now.paradigm] || "";
  const drawing = {
    paradigm: now.paradigm, cell: now.cell, layers: Number($("layers").value) || 1,
    hidden: Number($("hidden").value) || 0, cellName: cellName(now.cell),
    bidirectional: $("bidirectional").checked && !field(controls.find((c) => c.id === "bidirectional")).hidden,
    attention: $("attention").checked && !field(controls.find((c) => c.id === "attention")).hidden,
  };
  // Redrawn only when it changes: a field's "change" as it loses focus to a click on a box
  // must not replace that box between the press and the release.
  const key = JSON.stringify(drawing);
  if (key !== drawn) drawDiagram($("diagram"), drawing, openPanel);
  drawn = key;
  // A forecast horizon only means something to a seq2seq decoder.
  const horizon = document.querySelector('[data-option-field="horizon"]');
  if (horizon) horizon.hidden = now.paradigm !== "seq2seq";
}

function showDataset() {
  const d = dataset();
  $("dataset-description").textContent = d.summary.description || "";
  const paradigm = $("paradigm");
  const previous = paradigm.value;
  // Every paradigm is listed; those this task cannot serve are greyed out, with why.
  const all = [...d.paradigms, ...Object.keys(PARADIGM_NAMES).filter((p) => !d.paradigms.includes(p))];
  paradigm.replaceChildren(...all.map((p) => new Option(paradigmName(p), p)));
  paradigm.value = d.paradigms.includes(previous) ? previous : d.paradigms[0];
  const served = d.paradigms.map(paradigmName).join(", ");
  const reasons = Object.fromEntries(all.filter((p) => !d.paradigms.includes(p))
    .map((p) => [p, `${d.name} serves ${served} only.`]));
  markUnavailable(paradigm, reasons, paradigmName, null);
  $("paradigm-unavailable").textContent = Object.keys(reasons).length ? `Only ${served} for this task: ${d.name} serves ${served} only.` : "";
  const box = $("dataset-options");
  box.replaceChildren();
  for (const [name, schema] of Object.entries(d.options_schema.properties || {})) {
    const label = document.createElement("label");
    label.htmlFor = `option-${name}`;
    label.textContent = name[0].toUpperCase() + name.slice(1).replaceAll("_", " ");
    wrapTitle(label, (d.summary.options || {})[name]);
    let input;
    if (schema.enum) { // a choice among words (tokens: characters or words)
      input = document.createElement("select");
      input.replaceChildren(...schema.enum.map((v) => new Option(v[0].toUpperCase() + v.slice(1), v)));
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

// The preview comes with the dataset's detail, fetched once (an upload brings its own): a
// plot or statistics for real data, a few examples with their targets for a generated task.
async function loadPreview(d) {
  $("data-title").textContent = d.name;
  if (d.preview === undefined) {
    $("dataset-preview").replaceChildren();
    $("dataset-sample").replaceChildren();
    Object.assign(d, await api(`/api/datasets/${d.id}`));
  }
  if (dataset() !== d) return;
  showSample(d);
  showPreview(d);
}

// The option's idea as a tooltip on its label (the line under it shows while in use).
function wrapTitle(label, text) {
  if (text) label.title = text;
}

// A box of the diagram opens the settings it stands for: the data, a layer, the outputs.
const PANEL_FOCUS = { data: "dataset", model: "cell", output: "paradigm" };
function openPanel(panel) {
  const input = $(PANEL_FOCUS[panel]);
  const box = input.closest("fieldset");
  if (panel === "model") box.querySelector("details.more").open = true;
  box.scrollIntoView({ block: "nearest" });
  box.classList.remove("flash");
  void box.offsetWidth; // restart the highlight
  box.classList.add("flash");
  input.focus();
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

// What cannot run, from the check, greyed out with why: the cells this task and paradigm
// cannot train, and the choices the chosen cell cannot take (an initialisation of a W_hh it
// does not have, reading backwards).
const unavailableLine = (id) => document.querySelector(`[data-unavailable-for="${id}"]`);
const optionName = (select) => (value) => [...select.options].find((o) => o.value === value)?.textContent ?? value;
function showUnavailable(unavailable) {
  markUnavailable($("cell"), unavailable?.["model.cell"] || {}, cellName, unavailableLine("cell"));
  markUnavailable($("init"), unavailable?.["training.init"] || {}, optionName($("init")), unavailableLine("init"));
  const backwards = unavailable?.["model.bidirectional"]?.true;
  markUnavailableBox($("bidirectional"), backwards, unavailableLine("bidirectional"), flags.lock.includes("bidirectional"));
}

let problemCount = 0;
function setProblems(problems) {
  clearProblems(formElement);
  if (problems.length) showProblems(problems);
  // Train waits until every problem is fixed.
  problemCount = problems.length;
  $("train").disabled = problemCount > 0;
}

let checking = 0;
async function check() {
  const ticket = ++checking;
  try {
    const answer = await api("/api/runs/check", { method: "POST", body: JSON.stringify(specFromForm()) });
    if (ticket !== checking) return; // a newer check is on its way
    showUnavailable(answer.unavailable);
    if (!answer.ok) {
      $("model-size").textContent = "";
      setProblems(answer.problems || [{ field: "spec", label: "Settings", message: answer.error }]);
      return;
    }
    setProblems([]);
    $("model-size").textContent =
      `${answer.parameters.toLocaleString()} parameters · about ${answer.activation_mib} MiB of activations per step · ` +
      `${answer.spec.training.steps.toLocaleString()} steps`;
  } catch (failure) {
    if (ticket !== checking) return;
    clearProblems(formElement);
    $("model-size").textContent = "";
    showFailure(failure.message);
  }
}

let pending;
function changed() {
  updateControls();
  forgetRefusal(JSON.stringify(specFromForm()));
  // The page's own address again (after a Train it was the run's), holding the setup.
  history.replaceState(null, "", "/" + specToHash(specFromForm(), flags));
  $("host-workshop").href = "/workshops/new" + specToHash(specFromForm(), flags);
  clearTimeout(pending);
  pending = setTimeout(check, 250);
}

let started = 0; // runs started from this page, to name them apart
async function submit(event) {
  event.preventDefault();
  const button = $("train");
  if (button.disabled) return;
  button.disabled = true;
  button.textContent = "Starting…";
  const spec = specFromForm();
  try {
    const run = await api("/api/runs", { method: "POST", body: JSON.stringify(spec) });
    // Training starts in place: the address becomes the run's link (a reload opens its
    // page), and its curve grows beside the controls, next to the runs before it.
    started += 1;
    const name = spec.name || `${started}. ${cellName(spec.model.cell)} on ${dataset().name}`;
    followRun(run, name, dataset().summary.baseline_mse);
    rememberRun(run, name);
    history.pushState({ run: run.id }, "", run.url);
    $("live-runs").scrollIntoView({ block: "nearest" });
  } catch (failure) {
    if (failure.status === 403 || failure.status === 429) {
      // A quota or a lock said no: it stays in view until the setup changes.
      showRefusal(failure.message, JSON.stringify(spec));
    } else {
      await check(); // every problem, in plain words, next to its control
      if (formElement.querySelector(".field-error") === null) showFailure(failure.message);
    }
    const first = formElement.querySelector("[aria-invalid]");
    if (first) first.focus();
  }
  button.textContent = "Train";
  button.disabled = problemCount > 0;
}

// A link's hash sets every control it names; the dataset first, since it decides the rest.
const unknownInLink = [];
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
    else if (input.tagName !== "SELECT" || [...input.options].some((o) => o.value === value)) input.value = value;
    else unknownInLink.push(`${key} = "${value}"`); // a broken link keeps the default, and says so
  }
  if (unknownInLink.length) {
    $("link-notice").textContent = `This link names settings this page does not know (${unknownInLink.join(", ")}); ` +
      "the defaults are kept instead.";
    $("link-notice").hidden = false;
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
watchRecentRuns();
// A link to another setup on this same page (a preset's "open in the builder") sets it up;
// a plain in-page anchor (no settings in it) only scrolls.
window.addEventListener("hashchange", () => {
  if (window.location.hash.includes("=")) window.location.reload();
});
// "Lessons" scrolls to them and leaves the address holding the settings, to copy and share.
for (const jump of document.querySelectorAll("a.jump")) {
  jump.addEventListener("click", (event) => {
    event.preventDefault();
    document.querySelector(jump.getAttribute("href"))?.scrollIntoView();
  });
}
$("dataset").addEventListener("change", () => { showDataset(); changed(); });
// The upload box sits in the form, but its fields are not the model's: they do not re-check.
const modelField = (event) => !event.target.closest("#upload-box");
formElement.addEventListener("input", (event) => modelField(event) && changed());
formElement.addEventListener("change", (event) => modelField(event) && changed());
$("upload-kind").addEventListener("change", showUploadFields);
$("upload").addEventListener("click", uploadClicked);
showUploadFields();
formElement.addEventListener("submit", submit);
