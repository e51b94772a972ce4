// What the build page says about a setup before Train: every problem next to its control
// in plain words (the live check's `problems`), the choices that cannot run greyed out with
// their reason, and a refused Train that stays in view until the next change.

const $ = (id) => document.getElementById(id);

// "model.hidden" -> #hidden, "dataset_options.length" -> #option-length
export function inputFor(path) {
  const [group, name] = path.split(".");
  return group === "dataset_options" ? $(`option-${name}`) : $(name || group);
}

// The visible box a problem sits in: the control's field, or nothing for a whole-spec one.
function fieldOf(input) {
  if (!input || input.closest("[hidden]")) return null;
  return input.closest(".field, [data-option-field]");
}

export function clearProblems(form) {
  $("form-error").hidden = true;
  $("form-error").replaceChildren();
  for (const marked of form.querySelectorAll("[aria-invalid]")) {
    marked.removeAttribute("aria-invalid");
    marked.removeAttribute("aria-errormessage");
  }
  for (const line of form.querySelectorAll(".field-error")) line.remove();
}

// problems: [{field, label, message}]. Each goes under its control; the list under the
// size line repeats them all (with the ones no control shows, such as "Model").
export function showProblems(problems) {
  const summary = $("form-error");
  const intro = document.createElement("p");
  intro.textContent = problems.length === 1 ? "Fix this before training:" : `Fix these ${problems.length} settings before training:`;
  const list = document.createElement("ul");
  for (const problem of problems) {
    const input = inputFor(problem.field);
    const item = document.createElement("li");
    item.textContent = `${problem.label}: ${problem.message}`;
    list.append(item);
    const field = fieldOf(input);
    if (!field) continue;
    const line = document.createElement("p");
    line.className = "field-error";
    line.id = `${input.id}-error`;
    line.textContent = problem.message;
    field.append(line);
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-errormessage", line.id);
  }
  summary.replaceChildren(intro, list);
  summary.hidden = false;
}

// A failure with no plain problems (the network, a 5xx): its sentence alone.
export function showFailure(message) {
  const summary = $("form-error");
  const line = document.createElement("p");
  line.textContent = message;
  summary.replaceChildren(line);
  summary.hidden = false;
}

// Options that cannot run: disabled, their reason as a tooltip and as a line under the list
// (choices that share a reason share its sentence). reasons: {value: why}. The chosen one
// stays chosen (a link may name it); the check says why.
export function markUnavailable(select, reasons, names, line) {
  const byReason = new Map();
  for (const option of select.options) {
    const why = reasons[option.value];
    option.disabled = Boolean(why);
    option.title = why || "";
    if (why) byReason.set(why, [...(byReason.get(why) || []), names(option.value)]);
  }
  if (!line) return;
  const off = [...byReason].map(([why, named]) => `${named.join(", ")}: ${why}`);
  line.textContent = off.length ? `Greyed out here. ${off.join(" ")}` : "";
  line.title = line.textContent; // clamped to two lines until the list is in use
}

// A checkbox that cannot be ticked: disabled, with why as a tooltip and a line under it. One
// ticked already (a link may tick it) stays free to untick, and the check says why; a
// locked one stays as the instructor set it.
export function markUnavailableBox(box, why, line, locked) {
  if (!locked) box.disabled = Boolean(why) && !box.checked;
  box.closest("label").title = why || "";
  if (!line) return;
  line.textContent = why && !box.checked ? `Greyed out here: ${why}` : "";
  line.title = line.textContent;
}

// A refused Train (403, 429) stays until the setup changes: remembered with the setup.
let refusedFor = null;
export function showRefusal(message, setup) {
  refusedFor = setup;
  $("train-refusal").textContent = message;
  $("train-refusal").hidden = false;
}

export function forgetRefusal(setup) {
  if (refusedFor === null || refusedFor === setup) return;
  refusedFor = null;
  $("train-refusal").hidden = true;
}
