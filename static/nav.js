// The main menu on a narrow screen: folded behind the "Menu" button, opened and closed by it (Escape closes it
// too). Loaded right after the header, not deferred, so the page never shows the menu unfolded first. Without
// JavaScript the header keeps no `js-menu` class and the menu simply wraps onto more lines.
(function () {
  var header = document.querySelector("header.top");
  var button = header && header.querySelector(".menu-toggle");
  if (!button) return;
  header.classList.add("js-menu");
  function setOpen(open) {
    header.classList.toggle("open", open);
    button.setAttribute("aria-expanded", open ? "true" : "false");
  }
  button.addEventListener("click", function () {
    setOpen(button.getAttribute("aria-expanded") !== "true");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && header.classList.contains("open")) {
      setOpen(false);
      button.focus();
    }
  });
})();
