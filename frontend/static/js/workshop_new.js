// Hosting a workshop: a title, the preset as a form (prefilled from a build-page link), with
// its settings locked or hidden by ticking them, and quotas; then the join code and the
// instructor's secret link.
import { api } from "./api.js";
import { fillPresetForm, readPresetForm } from "./preset_form.js";
import { hashToState, stateToSpec } from "./state.js";

const $ = (id) => document.getElementById(id);
const form = document.querySelector("[data-preset-form]");
const state = hashToState(window.location.hash);
fillPresetForm(form, { preset: stateToSpec(state.values), locked: state.lock, hidden: state.hide });

$("new-workshop").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("ws-error").hidden = true;
  const body = {
    title: $("ws-title").value, ...readPresetForm(form),
    quotas: { concurrent_runs: Number($("ws-concurrent").value), max_steps: Number($("ws-steps").value), max_parameters: Number($("ws-parameters").value) },
  };
  try {
    const made = await api("/api/workshops", { method: "POST", body: JSON.stringify(body) });
    $("ws-code").textContent = made.code;
    const origin = window.location.origin;
    Object.assign($("ws-join"), { href: made.join_url, textContent: origin + made.join_url });
    Object.assign($("ws-instructor"), { href: made.instructor_url, textContent: origin + made.instructor_url });
    $("ws-made").hidden = false;
    $("ws-create").disabled = true;
  } catch (failure) {
    $("ws-error").textContent = failure.message;
    $("ws-error").hidden = false;
  }
});
