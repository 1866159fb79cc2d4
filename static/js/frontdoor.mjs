// Starts GOV.UK Frontend's components. Loaded as a module, so it only runs in
// browsers that GOV.UK Frontend supports; everything works without it.
import { initAll } from "/static/dist/govuk/govuk-frontend.min.js";

initAll();
document.addEventListener("htmx:afterSettle", (event) => initAll({ scope: event.target }));

// A busy database answers htmx with a short note and where to put it (HX-Retarget:
// above the form). Show it; the form stays as it was, to be sent again.
document.addEventListener("htmx:beforeSwap", (event) => {
  const { xhr } = event.detail;
  if (xhr.status === 503 && xhr.getResponseHeader("HX-Retarget")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
