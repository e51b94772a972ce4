// A workshop's preset as a form (templates/preset_form.html): filled from a preset with its
// locks and hidden controls, read back as the API takes them. A setting goes into the
// preset when it differs from its default or is locked; the others are the defaults anyway.

// A spec -> {"dataset": "adding", "model.cell": "lstm", "dataset_options.length": 50, ...}.
export function flatten(spec, prefix = "") {
  const flat = {};
  for (const [key, value] of Object.entries(spec ?? {})) {
    if (value !== null && typeof value === "object") Object.assign(flat, flatten(value, `${prefix}${key}.`));
    else flat[prefix + key] = value;
  }
  return flat;
}

function nest(flat) {
  const spec = {};
  for (const [path, value] of Object.entries(flat)) {
    const parts = path.split(".");
    let node = spec;
    for (const part of parts.slice(0, -1)) node = node[part] ??= {};
    node[parts.at(-1)] = value;
  }
  return spec;
}

const inputs = (root) => [...root.querySelectorAll("[data-path]")].filter((n) => n.matches("input, select"));
// A lock or hide given as a path ("model.cell") or as a control id ("cell") names the same box.
const names = (box, attribute, wanted) => wanted.some((w) => w === box.dataset[attribute] || w === box.dataset[attribute].split(".").at(-1));

function setValue(input, value) {
  if (input.type === "checkbox") input.checked = value === true || value === "true";
  else input.value = value ?? "";
}

function changed(input) {
  if (input.type === "checkbox") return input.checked !== input.defaultChecked;
  if (input.tagName === "SELECT") return input.value !== ([...input.options].find((o) => o.defaultSelected) ?? input.options[0])?.value;
  return input.value !== input.defaultValue;
}

function valueOf(input) {
  if (input.type === "checkbox") return input.checked;
  if (input.type === "number") return input.value === "" ? null : Number(input.value);
  return input.value;
}

// Settings the form has no field for (a paradigm, a task's options) ride along unchanged,
// while the task stays the one they were set for.
const carried = new WeakMap();

export function fillPresetForm(root, { preset = {}, locked = [], hidden = [] }) {
  const flat = flatten(preset);
  delete flat.name;
  const byPath = new Map(inputs(root).map((input) => [input.dataset.path, input]));
  const rest = {};
  for (const [path, value] of Object.entries(flat)) {
    if (byPath.has(path)) setValue(byPath.get(path), value);
    else rest[path] = value;
  }
  carried.set(root, { rest, dataset: flat.dataset });
  const note = root.querySelector("[data-carried]");
  note.hidden = !Object.keys(rest).length;
  note.textContent = `Also kept from the setup: ${Object.entries(rest).map(([p, v]) => `${p} = ${v}`).join(", ")}.`;
  for (const box of root.querySelectorAll("[data-lock]")) box.checked = names(box, "lock", locked);
  for (const box of root.querySelectorAll("[data-hide]")) box.checked = names(box, "hide", hidden);
}

export function readPresetForm(root) {
  const locked = [...root.querySelectorAll("[data-lock]:checked")].map((box) => box.dataset.lock);
  const kept = carried.get(root);
  const task = root.querySelector('[data-path="dataset"]').value;
  const flat = kept && (kept.dataset ?? task) === task ? { ...kept.rest } : {};
  for (const input of inputs(root)) {
    const path = input.dataset.path;
    if (path === "dataset" || changed(input) || locked.includes(path)) {
      const value = valueOf(input);
      if (value !== null) flat[path] = value;
    }
  }
  const hidden = [...root.querySelectorAll("[data-hide]:checked")].map((box) => box.dataset.hide);
  return { preset: nest(flat), locked, hidden };
}
