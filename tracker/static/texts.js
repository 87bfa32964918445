// The provision form: show a part's agreed-text box or its alternatives, as its kind says.
// Without this script both are shown, and the form works the same.
"use strict";

for (const part of document.querySelectorAll(".provision-form .segment")) {
  const kind = part.querySelector("select.segment-kind");
  const text = part.querySelector(".segment-text");
  const alternatives = part.querySelector(".segment-alternatives");
  if (!kind || !text || !alternatives) continue;
  const show = () => {
    part.dataset.kind = kind.value;
    const bracket = kind.value === "bracket";
    text.hidden = bracket && !text.querySelector("textarea").value.trim();
    alternatives.hidden = !bracket && !alternatives.querySelector("fieldset");
  };
  kind.addEventListener("change", show);
  show();
}
