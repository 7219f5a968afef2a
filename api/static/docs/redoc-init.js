// ReDoc on the API's own OpenAPI document, served from the package (the page's CSP allows no inline script;
// search runs in a web worker from a blob, which the CSP does not allow, so it is off).
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  Redoc.init("/openapi.json", { disableSearch: true, hideDownloadButton: false }, document.getElementById("redoc"));
});
