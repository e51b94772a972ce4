// Hosting a workshop: a title, a preset (prefilled from a build-page link), locks, hidden
// controls and quotas; then the join code and the instructor's secret link.
import { api } from "./api.js";
import { DEFAULT_PRESET } from "./constants.js";
import { hashToState, stateToSpec } from "./state.js";

const $ = (id) => document.getElementById(id);
const state = hashToState(window.location.hash);
const preset = Object.keys(state.values).length ? stateToSpec(state.values) : structuredClone(DEFAULT_PRESET);
delete preset.name;
$("ws-preset").value = JSON.stringify(preset, null, 2);
$("ws-hidden").value = state.hide.join(",");

const list = (id) => $(id).value.split(",").map((s) => s.trim()).filter(Boolean);

$("new-workshop").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("ws-error").hidden = true;
  let parsed;
  try { parsed = JSON.parse($("ws-preset").value || "{}"); } catch {
    $("ws-error").textContent = "The preset is not valid JSON.";
    $("ws-error").hidden = false;
    return;
  }
  const body = {
    title: $("ws-title").value, preset: parsed, locked: list("ws-locked"), hidden: list("ws-hidden"),
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
