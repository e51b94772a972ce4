// The build page's whole configuration in the URL's hash, so that a link reproduces the
// setup (as TensorFlow Playground does): "#dataset=adding&model.cell=lstm&training.lr=0.01".
// Instructors add "hide=cell,layers" or "lock=dataset" to hide or fix controls.

// A spec -> flat "path=value" pairs (dataset options as "dataset_options.window").
export function specToHash(spec, flags = {}) {
  const params = new URLSearchParams();
  params.set("dataset", spec.dataset);
  if (spec.paradigm) params.set("paradigm", spec.paradigm);
  for (const group of ["dataset_options", "model", "training"]) {
    for (const [name, value] of Object.entries(spec[group] || {})) {
      if (value !== null && value !== undefined && typeof value !== "object") params.set(`${group}.${name}`, value);
    }
  }
  if (spec.name) params.set("name", spec.name);
  for (const flag of ["hide", "lock"]) if (flags[flag]?.length) params.set(flag, flags[flag].join(","));
  return "#" + params.toString();
}

// The hash -> {values: {"model.cell": "lstm", ...}, hide: [...], lock: [...]}.
export function hashToState(hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const values = {};
  const list = (name) => (params.get(name) || "").split(",").map((s) => s.trim()).filter(Boolean);
  for (const [key, value] of params) if (key !== "hide" && key !== "lock") values[key] = value;
  return { values, hide: list("hide"), lock: list("lock") };
}

// Flat hash values back into a spec object, with numbers and booleans typed again.
export function stateToSpec(values) {
  const spec = {};
  for (const [key, raw] of Object.entries(values)) {
    const parts = key.split(".");
    let value = raw;
    if (raw === "true" || raw === "false") value = raw === "true";
    else if (raw !== "" && !Number.isNaN(Number(raw))) value = Number(raw);
    let node = spec;
    for (const part of parts.slice(0, -1)) node = node[part] ??= {};
    node[parts.at(-1)] = value;
  }
  return spec;
}
