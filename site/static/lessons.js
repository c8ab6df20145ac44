// The theme's search button is labelled "Search" while it shows "Search… Ctrl+K": a speech-input
// user saying what they see would not reach it (axe: label-content-name-mismatch). Let the
// visible text be its name.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll(".search-button__button[aria-label]").forEach((button) => {
    button.removeAttribute("aria-label");
  });
});
