// Starts GOV.UK Frontend's components. Loaded as a module, so it only runs in
// browsers that GOV.UK Frontend supports; everything works without it.
import { initAll } from "/static/dist/govuk/govuk-frontend.min.js";

initAll();
document.addEventListener("htmx:afterSettle", (event) => initAll({ scope: event.target }));
