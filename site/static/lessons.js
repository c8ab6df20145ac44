// The theme's search button is labelled "Search" while it shows "Search… Ctrl+K": a speech-input
// user saying what they see would not reach it (axe: label-content-name-mismatch). Let the
// visible text be its name.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll(".search-button__button[aria-label]").forEach((button) => {
    button.removeAttribute("aria-label");
  });
});

// The same for the toggles of folded cells (pin cells, tagged hide-input): each <summary> shows
// "Show code cell source" but is labelled "Toggle hidden content". Its visible text is its name.
// sphinx-togglebutton builds these toggles when the page has loaded, so run after it too.
const nameTogglesByTheirText = () => {
  document.querySelectorAll("details.hide > summary[aria-label], .hide > summary[aria-label]")
    .forEach((summary) => summary.removeAttribute("aria-label"));
};
document.addEventListener("DOMContentLoaded", nameTogglesByTheirText);
window.addEventListener("load", nameTogglesByTheirText);
