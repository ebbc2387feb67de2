// reelpulse dashboard script. The pages work without it: it rewrites times
// in the browser's time zone and keeps "time since" texts current, suggests
// titles while a title is typed in the add form, follows the progress of
// movies that are not analyzed yet, and copies a new API token.
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

  // dateStyle and timeStyle cannot be combined with timeZoneName, so the
  // fields are listed one by one to show the zone, as in "5 Dec 2026, 14:58 JST".
  var localFormat = new Intl.DateTimeFormat(undefined, {
    year: "numeric", month: "short", day: "numeric",
    hour: "numeric", minute: "2-digit", timeZoneName: "short"
  });

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

  // Title suggestions. The input becomes a combobox. After a pause in typing
  // a title (two characters or more, not an IMDb id or URL), the script
  // requests GET /suggestions and lists the matches as options. Up and down move through
  // them, Enter tracks the highlighted title, Escape closes the list.
  // Without a highlighted option, Enter submits the form as typed, which
  // searches on the server as it does without JavaScript.
  function looksLikeTitle(text) {
    var lower = text.toLowerCase();
    if (lower.indexOf("imdb.") >= 0 || lower.indexOf("://") >= 0) {
      return false;
    }
    return !/^tt[0-9]/.test(lower);
  }

  function setupTypeahead() {
    var input = document.getElementById("movie-input");
    var list = document.getElementById("movie-suggestions");
    var status = document.getElementById("typeahead-status");
    if (!input || !list || !window.fetch) {
      return;
    }
    var form = input.form;
    var timer = 0;
    var pending = null;
    var options = [];
    var active = -1;
    var lastQuery = "";

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-expanded", "false");

    function announce(text) {
      if (status) {
        status.textContent = text;
      }
    }

    function close() {
      list.hidden = true;
      list.textContent = "";
      options = [];
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      if (active >= 0 && options[active]) {
        options[active].setAttribute("aria-selected", "false");
      }
      active = index;
      if (active < 0) {
        input.removeAttribute("aria-activedescendant");
        return;
      }
      options[active].setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", options[active].id);
      options[active].scrollIntoView({ block: "nearest" });
    }

    function pick(option) {
      var page = option.getAttribute("data-url");
      if (page) {
        close();
        window.location.assign(page);
        return;
      }
      input.value = option.getAttribute("data-id");
      close();
      if (form.requestSubmit) {
        form.requestSubmit();
      } else {
        form.submit();
      }
    }

    function render(suggestions) {
      close();
      if (suggestions.length === 0) {
        announce("No title matches.");
        return;
      }
      for (var i = 0; i < suggestions.length; i++) {
        var s = suggestions[i];
        var option = document.createElement("li");
        option.id = "suggestion-" + s.id;
        option.className = "typeahead-option";
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.setAttribute("data-id", s.id);
        if (s.poster) {
          var img = document.createElement("img");
          img.className = "typeahead-poster";
          img.src = s.poster;
          img.alt = "";
          img.width = 34;
          img.height = 50;
          img.addEventListener("error", hideBrokenImage);
          option.appendChild(img);
        } else {
          var blank = document.createElement("span");
          blank.className = "typeahead-poster poster-missing";
          option.appendChild(blank);
        }
        var text = document.createElement("span");
        text.className = "typeahead-text";
        var title = document.createElement("span");
        title.className = "suggestion-title";
        title.textContent = s.title;
        text.appendChild(title);
        if (s.year) {
          var year = document.createElement("span");
          year.className = "year";
          year.textContent = " (" + s.year + ")";
          text.appendChild(year);
        }
        if (s.tracked && s.url && s.url.indexOf("/movies/") === 0) {
          option.setAttribute("data-url", s.url);
          var badge = document.createElement("span");
          badge.className = "badge badge-ok typeahead-tracked";
          badge.textContent = s.tracked;
          text.appendChild(document.createTextNode(" "));
          text.appendChild(badge);
        }
        var meta = document.createElement("span");
        meta.className = "muted typeahead-meta";
        meta.textContent = [s.kind, s.stars, s.id].filter(Boolean).join(" · ");
        text.appendChild(meta);
        option.appendChild(text);
        option.addEventListener("mousedown", onOptionMouseDown);
        list.appendChild(option);
        options.push(option);
      }
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      announce(suggestions.length + (suggestions.length === 1 ? " title matches" : " titles match") +
        "; use the up and down keys to choose one and Enter to track it, or to open it when it is already tracked.");
    }

    function onOptionMouseDown(event) {
      event.preventDefault(); // keeps the focus in the input
      pick(event.currentTarget);
    }

    function search(query) {
      if (pending) {
        pending.abort();
      }
      pending = new AbortController();
      var request = pending;
      fetch("/suggestions?q=" + encodeURIComponent(query), {
        headers: { Accept: "application/json" },
        signal: request.signal,
      })
        .then(function (response) {
          return response.json().then(function (body) {
            if (!response.ok) {
              throw new Error(body.error || "HTTP " + response.status);
            }
            return body;
          });
        })
        .then(function (body) {
          if (request === pending && input.value.trim() === query) {
            render(body.suggestions || []);
          }
        })
        .catch(function (error) {
          if (error.name !== "AbortError" && request === pending) {
            close();
            announce("Suggestions are unavailable: " + error.message);
          }
        });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      var query = input.value.trim();
      if (query === lastQuery) {
        return;
      }
      lastQuery = query;
      if (query.length < 2 || !looksLikeTitle(query)) {
        if (pending) {
          pending.abort();
          pending = null;
        }
        close();
        return;
      }
      timer = setTimeout(function () {
        search(query);
      }, 250);
    });

    input.addEventListener("keydown", function (event) {
      if (list.hidden || options.length === 0) {
        return;
      }
      switch (event.key) {
        case "ArrowDown":
          event.preventDefault();
          highlight((active + 1) % options.length);
          break;
        case "ArrowUp":
          event.preventDefault();
          highlight(active <= 0 ? options.length - 1 : active - 1);
          break;
        case "Enter":
          if (active >= 0) {
            event.preventDefault();
            pick(options[active]);
          }
          break;
        case "Escape":
          event.preventDefault();
          close();
          break;
      }
    });

    input.addEventListener("blur", function () {
      close();
    });
  }

  function hideBrokenImage(event) {
    event.currentTarget.hidden = true;
  }

  var brokenPosters = document.querySelectorAll("img.suggestion-poster");
  for (var b = 0; b < brokenPosters.length; b++) {
    brokenPosters[b].addEventListener("error", hideBrokenImage);
    if (brokenPosters[b].complete && brokenPosters[b].naturalWidth === 0) {
      brokenPosters[b].hidden = true;
    }
  }

  // Progress of movies that are not analyzed yet. Each progress box requests
  // its JSON every two seconds and updates its steps and status line, which
  // screen readers announce. Once the movie is analyzed, the movie page
  // reloads and a movie card is replaced by a fresh copy of itself. Polling
  // stops on an error, when the movie stopped short (failed or untracked)
  // and after half an hour.
  var pollInterval = 2000;
  var pollLimit = 30 * 60 * 1000;

  function setupProgress(box) {
    var url = box.getAttribute("data-progress");
    var label = box.querySelector(".progress-label");
    var text = box.querySelector(".progress-text");
    var refresh = box.querySelector(".progress-refresh");
    var started = Date.now();
    if (refresh) {
      refresh.hidden = true;
    }

    function stop(message) {
      box.removeAttribute("data-poll");
      if (message) {
        text.textContent = message;
      }
      if (refresh) {
        refresh.hidden = false;
      }
    }

    function show(p) {
      box.setAttribute("data-stage", p.stage);
      box.className = "progress progress-" + p.stage;
      if (label.textContent !== p.label) {
        label.textContent = p.label;
      }
      if (text.textContent !== p.text) {
        text.textContent = p.text;
      }
      var steps = box.querySelectorAll("[data-step]");
      for (var i = 0; i < steps.length; i++) {
        var state = "todo";
        if (i + 1 < p.step || p.done) {
          state = "done";
        } else if (i + 1 === p.step) {
          state = "current";
        }
        steps[i].className = "step step-" + state;
      }
    }

    function finished() {
      var card = box.closest(".movie-card");
      if (!card) {
        window.location.reload();
        return;
      }
      // The same list the page shows: the user's own, or every movie (all=1).
      fetch(window.location.pathname + window.location.search, { headers: { Accept: "text/html" } })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("HTTP " + response.status);
          }
          return response.text();
        })
        .then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          var fresh = doc.querySelector('.movie-card[data-testid="' + card.getAttribute("data-testid") + '"]');
          if (fresh) {
            card.replaceWith(document.importNode(fresh, true));
            formatLocal();
            update();
          }
        })
        .catch(function () {
          stop("Analyzed; refresh the page to see the figures.");
        });
    }

    function tick() {
      fetch(url, { headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.json().then(function (body) {
            if (!response.ok) {
              throw new Error(body.error || "HTTP " + response.status);
            }
            return body;
          });
        })
        .then(function (p) {
          show(p);
          if (p.done) {
            box.removeAttribute("data-poll");
            finished();
          } else if (p.stage === "failed") {
            // The page's state and its Unpark button come from the server,
            // so load them again rather than keep the page rendered before.
            box.removeAttribute("data-poll");
            finished();
          } else if (!p.poll) {
            stop("");
          } else if (Date.now() - started > pollLimit) {
            stop("Still working; refresh the page to follow.");
          } else {
            setTimeout(tick, pollInterval);
          }
        })
        .catch(function (error) {
          stop("The progress could not be read (" + error.message + "); refresh the page to try again.");
        });
    }

    setTimeout(tick, pollInterval);
  }

  // setupCopy shows the Copy buttons, which copy the text of the element
  // that data-copy names. Without the script the text stays selectable.
  function setupCopy() {
    var buttons = document.querySelectorAll("button[data-copy]");
    for (var i = 0; i < buttons.length; i++) {
      var button = buttons[i];
      var source = document.getElementById(button.getAttribute("data-copy"));
      if (!source || !navigator.clipboard) {
        continue;
      }
      button.hidden = false;
      button.addEventListener("click", copyFrom(source, button.parentNode.querySelector("[data-copy-status]")));
    }
  }

  function copyFrom(source, status) {
    return function () {
      navigator.clipboard.writeText(source.textContent.trim()).then(
        function () {
          if (status) {
            status.textContent = "Copied.";
          }
        },
        function (error) {
          if (status) {
            status.textContent = "Not copied (" + error.message + "); select the token and copy it.";
          }
        },
      );
    };
  }

  setupTypeahead();
  setupCopy();
  if (window.fetch) {
    var boxes = document.querySelectorAll("[data-progress][data-poll]");
    for (var p = 0; p < boxes.length; p++) {
      setupProgress(boxes[p]);
    }
  }
})();
