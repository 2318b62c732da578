// The header's menu button on phones. Without JavaScript the whole navigation simply shows.
(function () {
  "use strict";
  var button = document.querySelector(".menu-button");
  var nav = document.getElementById("site-nav");
  if (!button || !nav) { return; }
  var phone = window.matchMedia("(max-width: 699px)");

  function setOpen(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    nav.classList.toggle("is-collapsed", !open);
  }

  function fit() {
    button.hidden = !phone.matches;
    setOpen(!phone.matches);
  }

  button.addEventListener("click", function () {
    setOpen(button.getAttribute("aria-expanded") !== "true");
  });
  nav.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && phone.matches) {
      setOpen(false);
      button.focus();
    }
  });
  if (phone.addEventListener) { phone.addEventListener("change", fit); }
  fit();
})();
