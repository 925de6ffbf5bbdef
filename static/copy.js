// Copies a block's text: <button type="button" data-copy="element-id">Copy</button>. A static file, as the
// Content-Security-Policy forbids inline handlers; without JavaScript the block is still selectable text.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-copy]");
  if (!button || !navigator.clipboard) return;
  var source = document.getElementById(button.getAttribute("data-copy"));
  navigator.clipboard.writeText(source ? source.textContent : "").then(function () {
    button.textContent = "Copied";
  });
});
