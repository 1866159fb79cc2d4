// The booking confirmation's "Print this page" button. Without JavaScript the
// page says to use the browser's print option; with it, that sentence becomes
// a button. No inline script: the CSP forbids it.
for (const hint of document.querySelectorAll("[data-module='fd-print']")) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "govuk-button govuk-button--secondary fd-print";
  button.textContent = hint.dataset.label;
  button.addEventListener("click", () => window.print());
  hint.replaceWith(button);
}
