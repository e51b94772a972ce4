// The gallery of lessons: one click trains each variant and opens the comparison; each
// variant also opens in the builder, to change before training.
import { api } from "./api.js";
import { specToHash } from "./state.js";

const $ = (id) => document.getElementById(id);

// One after the other, so the runs queue in the lesson's order; each POST only queues its
// run, so both are created within moments and train side by side where two slots are free.
export async function trainAll(specs) {
  const ids = [];
  for (const spec of specs) ids.push((await api("/api/runs", { method: "POST", body: JSON.stringify(spec) })).id);
  return ids;
}

export function showPresets(presets) {
  const list = $("preset-list");
  for (const preset of presets) {
    const item = document.createElement("article");
    item.className = "preset";
    const title = document.createElement("h3");
    title.textContent = preset.title;
    const lesson = document.createElement("p");
    lesson.className = "hint";
    lesson.textContent = preset.lesson;
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.preset = preset.id;
    button.textContent = `Train ${preset.runs.length === 2 ? "both" : "all"} and compare`;
    button.addEventListener("click", async () => {
      button.disabled = true;
      $("preset-error").hidden = true;
      try {
        const ids = await trainAll(preset.runs);
        window.location.assign(`/compare/?runs=${ids.join(",")}&lesson=${encodeURIComponent(preset.id)}`);
      } catch (failure) {
        $("preset-error").textContent = failure.message;
        $("preset-error").hidden = false;
        button.disabled = false;
      }
    });
    const links = document.createElement("p");
    links.className = "hint";
    links.append("Or open in the builder: ");
    preset.runs.forEach((spec, i) => {
      const link = Object.assign(document.createElement("a"), { href: "/" + specToHash(spec), textContent: spec.name });
      links.append(...(i ? [" · ", link] : [link]));
    });
    item.append(title, lesson, button, links);
    list.append(item);
  }
}
