// reelpulse dashboard script. The pages work without it: it only rewrites
// times in the browser's time zone and keeps "time since" texts current.
"use strict";

(function () {
  var units = [
    ["year", 365 * 24 * 3600],
    ["month", 30 * 24 * 3600],
    ["day", 24 * 3600],
    ["hour", 3600],
    ["minute", 60],
  ];

  // relative returns the same texts as the server, e.g. "5 minutes ago".
  function relative(date) {
    var seconds = (Date.now() - date.getTime()) / 1000;
    if (seconds < 60) {
      return "just now";
    }
    var limits = { year: 730 * 24 * 3600, month: 60 * 24 * 3600, day: 48 * 3600, hour: 3600, minute: 60 };
    for (var i = 0; i < units.length; i++) {
      var name = units[i][0];
      if (seconds >= limits[name]) {
        var n = Math.floor(seconds / units[i][1]);
        return n + " " + name + (n === 1 ? "" : "s") + " ago";
      }
    }
    return "just now";
  }

  var localFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

  function formatLocal() {
    var nodes = document.querySelectorAll("time[data-local]");
    for (var i = 0; i < nodes.length; i++) {
      var date = new Date(nodes[i].getAttribute("datetime"));
      if (!isNaN(date.getTime())) {
        nodes[i].textContent = localFormat.format(date);
      }
    }
  }

  function update() {
    var nodes = document.querySelectorAll("time[data-relative]");
    for (var i = 0; i < nodes.length; i++) {
      var date = new Date(nodes[i].getAttribute("datetime"));
      if (isNaN(date.getTime())) {
        continue;
      }
      nodes[i].textContent = relative(date);
      nodes[i].title = localFormat.format(date);
    }
  }

  formatLocal();
  update();
  setInterval(update, 30000);
})();
