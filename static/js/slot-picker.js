// The slot picker: the strip of dates switches the day shown without reloading the page, and
// the bar at the bottom names the chosen time. Without JavaScript each date is a link to ?day=.
(function () {
  "use strict";
  var picker = document.querySelector("[data-slot-picker]");
  if (!picker) { return; }
  var tabs = picker.querySelectorAll(".day-tab");
  var days = picker.querySelectorAll("fieldset.slot-day");
  var chosen = document.getElementById("picker-chosen");

  function show(key) {
    days.forEach(function (day) { day.hidden = day.getAttribute("data-day") !== key; });
    tabs.forEach(function (tab) {
      if (tab.getAttribute("data-day") === key) { tab.setAttribute("aria-current", "date"); }
      else { tab.removeAttribute("aria-current"); }
    });
    if (window.history && window.history.replaceState) {
      var url = new URL(window.location.href);
      url.searchParams.set("day", key);
      url.hash = "";
      window.history.replaceState(null, "", url.toString());
    }
  }

  tabs.forEach(function (tab) {
    tab.addEventListener("click", function (event) {
      event.preventDefault();
      show(tab.getAttribute("data-day"));
    });
  });

  picker.addEventListener("change", function (event) {
    var input = event.target;
    if (!chosen || input.name !== "slot" || !input.checked) { return; }
    chosen.textContent = chosen.getAttribute("data-prefix") + " " + input.getAttribute("data-label");
  });
})();
