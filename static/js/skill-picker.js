// The skill picker of /requests/new/: type to filter the skills, Enter picks the first one shown, and the
// chosen ones are listed. Without JavaScript the filter stays hidden and every skill is a plain checkbox.
(() => {
  const filter = document.getElementById("skill-filter");
  const chosen = document.getElementById("skill-chosen");
  const none = document.getElementById("skill-none");
  const items = [...document.querySelectorAll("[data-skill-name]")];
  filter.hidden = false;
  const showChosen = () => {
    const names = items.filter((item) => item.querySelector("input").checked).map((item) => item.textContent.trim());
    chosen.textContent = names.length ? `${chosen.dataset.label || "Chosen:"} ${names.join(", ")}` : "";
  };
  filter.addEventListener("input", () => {
    const words = filter.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const item of items) {
      const match = words.every((word) => item.dataset.skillName.includes(word)) || item.querySelector("input").checked;
      item.hidden = !match;
      shown += match ? 1 : 0;
    }
    for (const group of document.querySelectorAll("[data-skill-group]")) {
      group.hidden = !group.querySelector("li:not([hidden])");
    }
    none.hidden = shown > 0;
  });
  filter.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault();  // Enter picks the first visible skill instead of sending the form
    const first = items.find((item) => !item.hidden && !item.querySelector("input").checked);
    if (first) {
      first.querySelector("input").checked = true;
      filter.value = "";
      filter.dispatchEvent(new Event("input"));
      showChosen();
    }
  });
  document.querySelector(".skill-groups").addEventListener("change", showChosen);
  showChosen();
})();
