// Asks before a plain (non-htmx) form is sent: <form data-confirm="Delete this product?">. A static file
// instead of an inline onsubmit handler, which the Content-Security-Policy forbids. htmx forms use hx-confirm.
document.addEventListener("submit", function (event) {
  var message = event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});
