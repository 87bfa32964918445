// Repeated selects (an agreement's parties, a meeting's agenda) share one list of choices,
// drawn once in the page as a <template>: each select comes with its chosen option only and
// gets the list here, keeping its value. They stay native selects, so the keyboard, screen
// readers and form submission work as for any other select.
"use strict";

for (const select of document.querySelectorAll("select[data-choices]")) {
  const list = document.getElementById(select.dataset.choices);
  if (list instanceof HTMLTemplateElement) {
    const chosen = select.value;
    select.replaceChildren(list.content.cloneNode(true));
    select.value = chosen;
  }
}
