// The Menu button of the site header (templates/base.html). Below the phone breakpoint of app.css the links
// are hidden until the button is pressed; aria-expanded is the one state, which the CSS reads too. The script
// runs right after the header is parsed, so the links do not flash open. Without JavaScript the button stays
// hidden and the links simply wrap under the brand.
(() => {
  const toggle = document.querySelector(".menu-toggle");
  const menu = toggle && document.getElementById(toggle.getAttribute("aria-controls"));
  if (!menu) return;
  toggle.hidden = false;
  const setOpen = (open) => toggle.setAttribute("aria-expanded", String(open));
  toggle.addEventListener("click", () => setOpen(toggle.getAttribute("aria-expanded") !== "true"));
  // Escape closes the open menu from anywhere inside it and gives the focus back to the button.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || toggle.getAttribute("aria-expanded") !== "true") return;
    if (!menu.contains(document.activeElement) && document.activeElement !== toggle) return;
    setOpen(false);
    toggle.focus();
  });
})();
