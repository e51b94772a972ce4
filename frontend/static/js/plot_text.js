// Text for a Plotly chart. Plotly renders some tags found in chart text (titles, axis and
// tick labels, legends, hovers): <a href> becomes a link, <b>, <br>, <span style> apply.
// It also decodes &lt; &gt; &amp;, so text from strangers (an upload's tokens, labels and
// column names) goes in with those three as entities and shows exactly as typed.
// Numbers pass unchanged, so a numeric axis stays numeric.
export const plotText = (value) =>
  typeof value === "string"
    ? value.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
    : value;
