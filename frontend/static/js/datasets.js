// Your own data on the build page: the upload form (with its progress) and the preview
// of a dataset (the series plotted; text statistics and a sample; label balance).
import { csrfHeaders } from "./api.js";
import { UPLOAD_FIELDS } from "./constants.js";
import { plotText } from "./plot_text.js";
import { plotly } from "./plotly_loader.js";

const $ = (id) => document.getElementById(id);
const PLOT_OPTIONS = { responsive: true, displaylogo: false };

export function showUploadFields() {
  const kind = $("upload-kind").value;
  for (const box of document.querySelectorAll("[data-upload-kinds]")) {
    box.hidden = !box.dataset.uploadKinds.split(" ").includes(kind);
  }
}

// POST /api/datasets as multipart. The bar shows the bytes sent; then, while the server
// checks the file, the line under it reads the check's progress, which the checker leaves
// under a random token the form carries (GET /api/uploads/{token}/progress).
export function upload() {
  const file = $("upload-file").files[0];
  const form = new FormData();
  if (file) form.append("file", file);
  form.append("kind", $("upload-kind").value);
  if ($("upload-name").value.trim()) form.append("name", $("upload-name").value.trim());
  for (const name of UPLOAD_FIELDS) {
    const input = $(`upload-${name.replaceAll("_", "-")}`);
    if (!input.closest("[data-upload-kinds]").hidden && input.value.trim()) form.append(name, input.value.trim());
  }
  const token = progressToken();
  form.append("progress", token);
  const progress = $("upload-progress");
  const status = $("upload-status");
  progress.hidden = status.hidden = false;
  progress.value = 0;
  status.textContent = "Sending the file…";
  let polling = null;
  const finish = () => {
    clearInterval(polling);
    progress.hidden = status.hidden = true;
  };
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", "/api/datasets");
    for (const [name, value] of Object.entries(csrfHeaders("POST"))) request.setRequestHeader(name, value);
    request.upload.onprogress = (event) => {
      if (!event.lengthComputable) return;
      progress.value = event.loaded / event.total;
      status.textContent = `Sending: ${megabytes(event.loaded)} of ${megabytes(event.total)} MB`;
    };
    // Every byte sent: the server checks the file now; follow the check.
    request.upload.onload = () => {
      progress.removeAttribute("value"); // a moving bar: how long the check takes is unknown
      status.textContent = file ? `Sent ${megabytes(file.size)} MB; the server is checking it…` : "Sent.";
      polling = setInterval(() => followCheck(token, status, request), POLL_MS);
    };
    request.onload = () => {
      finish();
      let body = {};
      try { body = JSON.parse(request.responseText); } catch { /* not JSON: say the status */ }
      if (request.status === 201) resolve(body);
      else reject(Object.assign(new Error(body.error || `The server answered ${request.status}.`), body));
    };
    request.onerror = () => {
      finish();
      reject(new Error("The upload did not reach the server. Check the connection and try again."));
    };
    request.send(form);
  });
}

const POLL_MS = 250;
const PHASE_TEXT = {
  waiting: () => "Waiting for a checker process…",
  reading: (rows, unit) => `Reading the file: ${rows.toLocaleString()} ${unit} so far…`,
  checking: (rows, unit) => `Checking ${rows.toLocaleString()} ${unit}…`,
  storing: () => "Checked; storing it…",
};

async function followCheck(token, status, request) {
  const response = await fetch(`/api/uploads/${token}/progress`, { credentials: "same-origin" }).catch(() => null);
  if (!response?.ok || request.readyState === XMLHttpRequest.DONE) return; // not started, or over
  const state = await response.json();
  const unit = $("upload-kind").value === "text" ? "lines" : "rows";
  const text = PHASE_TEXT[state.phase];
  if (text) status.textContent = text(state.rows ?? 0, unit);
}

// 128 random bits as hex (crypto.randomUUID needs https; a workshop may serve plain http).
function progressToken() {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

const megabytes = (bytes) => (bytes / 2 ** 20).toFixed(1);

export function showUploadError(failure) {
  const box = $("upload-error");
  box.hidden = false;
  const offer = failure.choices?.missing ? ` Pick one under "Missing or broken values" and upload again.` : "";
  box.textContent = failure.message + "." + offer;
  if (failure.choices?.missing) $("upload-missing").focus();
}

function line(text) {
  const p = document.createElement("p");
  p.className = "hint";
  p.textContent = text;
  return p;
}

function chart() {
  const div = document.createElement("div");
  div.className = "chart small";
  return div;
}

function bars(div, pairs, title) {
  plotly.react(div, [{ type: "bar", x: pairs.map((p) => plotText(String(p[0]))), y: pairs.map((p) => p[1]), marker: { color: "#1b9e77" } }], {
    margin: { t: 30, r: 10, b: 60, l: 50 }, title: { text: title, font: { size: 13 } }, xaxis: { type: "category" },
  }, PLOT_OPTIONS);
}

// A generated task's preview: a few examples, each input with its target (GET
// /api/datasets/{id} for a built-in made in code). Real data has the preview below.
const isSample = (d) => d.preview?.examples?.[0]?.input !== undefined;

// Tokens as text: characters run together, words spaced.
const asText = (tokens) => tokens.join(tokens.every((t) => t.length === 1) ? "" : " ");

function cell(content, className) {
  const td = document.createElement("td");
  if (className) td.className = className;
  td.append(content);
  return td;
}

// Values at each step; with a second 0/1 feature (the adding problem's marker), the marked
// steps are highlighted: the numbers the model must add.
function steps(values) {
  const row = document.createElement("div");
  row.className = "steps";
  const marked = values.length > 0 && values[0].length === 2 && values.every((v) => v[1] === 0 || v[1] === 1);
  for (const value of values) {
    const span = document.createElement("span");
    span.textContent = value[0].toFixed(2);
    if (value.length > 1 && !marked) span.textContent = value.map((v) => v.toFixed(2)).join(", ");
    if (marked && value[1] === 1) {
      span.className = "marked";
      span.title = "marked: add this one";
    }
    row.append(span);
  }
  return row;
}

function side(part) {
  if (part.label !== undefined) return document.createTextNode(part.label);
  const shown = part.tokens !== undefined ? Object.assign(document.createElement("span"), {
    className: "tokens", textContent: asText(part.tokens),
  }) : steps(part.values);
  if (!part.cut) return shown;
  const wrap = document.createElement("div");
  wrap.append(shown, " …");
  return wrap;
}

export function showSample(d) {
  const box = $("dataset-sample");
  box.replaceChildren();
  if (!isSample(d)) return;
  const marked = d.id === "adding";
  if (marked) box.append(line("Each step carries a number and a marker; the answer is the sum of the two marked numbers (highlighted)."));
  const table = document.createElement("table");
  table.className = "data-sample";
  const head = document.createElement("tr");
  for (const title of ["Input", "Target"]) head.append(Object.assign(document.createElement("th"), { textContent: title }));
  table.append(head);
  for (const example of d.preview.examples) {
    const row = document.createElement("tr");
    const target = side(example.target);
    row.append(cell(side(example.input)), cell(target, "target"));
    table.append(row);
  }
  box.append(table);
  box.append(line(`${d.preview.examples.length} examples from the validation set, with the default options.`));
}

// The preview of real data (an upload, a real series); generated tasks show examples above.
export function showPreview(d) {
  const box = $("dataset-preview");
  box.replaceChildren();
  if (!d.preview || isSample(d)) return;
  const s = d.summary;
  if (d.kind === "series") {
    const gaps = s.gaps?.count ? ` · ${s.gaps.count} gaps in time` : "";
    const missing = s.missing ? ` · missing values ${s.missing.dropped_rows !== undefined ? `dropped (${s.missing.dropped_rows} rows)` : "interpolated"}` : "";
    box.append(line(`${s.rows.toLocaleString()} rows · ${s.columns.join(", ")}${s.time_column ? ` by ${s.time_column}` : ""}${gaps}${missing} · fits ${d.paradigms.join(", ")}`));
    const div = chart();
    box.append(div);
    const x = d.preview.x.map(plotText);
    const traces = Object.entries(d.preview.series).map(([name, y]) => ({ x, y, name: plotText(name), mode: "lines" }));
    plotly.react(div, traces, { margin: { t: 10, r: 10, b: 40, l: 50 }, legend: { orientation: "h" } }, PLOT_OPTIONS);
  } else if (d.kind === "text") {
    box.append(line(`${s.characters.toLocaleString()} characters (${s.distinct_characters} distinct) · ${s.words.toLocaleString()} words (${s.distinct_words.toLocaleString()} distinct) · fits ${d.paradigms.join(", ")}`));
    const sample = document.createElement("pre");
    sample.className = "sample";
    sample.textContent = d.preview.sample;
    const div = chart();
    box.append(sample, div);
    bars(div, d.preview.top_words, "Most frequent words");
  } else {
    box.append(line(`${s.rows.toLocaleString()} texts in '${s.text_column}', labels in '${s.label_column}' · ${Object.keys(s.classes).length} classes · about ${s.words_per_text} words each · fits ${d.paradigms.join(", ")}`));
    const div = chart();
    box.append(div);
    bars(div, Object.entries(s.classes), "Label balance");
    const list = document.createElement("ul");
    list.className = "examples";
    for (const example of d.preview.examples) {
      const item = document.createElement("li");
      item.textContent = `${example.label}: ${example.text}`;
      list.append(item);
    }
    box.append(list);
  }
}
