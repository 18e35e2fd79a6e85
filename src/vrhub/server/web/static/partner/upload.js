/* Upload progress for the partner's upload form (progressive enhancement: without this script the form posts as
   usual). The form is sent by XMLHttpRequest, whose upload "progress" events drive the <progress> bar
   (XMLHttpRequest Living Standard, section 3.6.1); then:
   - the server's answer to a good upload is a redirect to the job loading it (/jobs/ID: its stage and progress,
     then the load report): the browser goes there;
   - a form with problems comes back as the page with its error summary: its <main> replaces this one. */
(function () {
  "use strict";

  function init() {
    var form = document.querySelector("form[data-upload-progress]");
    if (!form || !window.XMLHttpRequest || !window.FormData) {
      return;
    }
    form.addEventListener("submit", function (event) {
      var box = document.getElementById("upload-progress");
      var bar = document.getElementById("upload-progress-bar");
      var status = document.getElementById("upload-progress-status");
      var button = form.querySelector("button[type=submit]");
      event.preventDefault();
      box.hidden = false;
      bar.value = 0;
      status.textContent = "Sending the file: 0%";
      if (button) { button.disabled = true; }

      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          var percent = Math.round((100 * e.loaded) / e.total);
          bar.value = percent;
          bar.textContent = percent + "%";
          status.textContent = "Sending the file: " + percent + "%";
        }
      });
      xhr.upload.addEventListener("load", function () {
        bar.removeAttribute("value"); /* indeterminate while the hub checks and loads it */
        status.textContent = "Sent. Opening the page that shows the file being checked and loaded.";
      });
      xhr.addEventListener("load", function () {
        if (xhr.status < 400 && xhr.responseURL &&
            (xhr.responseURL.indexOf("/jobs/") !== -1 || xhr.responseURL.indexOf("/partner/uploads/") !== -1)) {
          window.location.assign(xhr.responseURL);
          return;
        }
        var page = new DOMParser().parseFromString(xhr.responseText, "text/html");
        var main = page.querySelector("main");
        if (main) {
          document.querySelector("main").replaceWith(document.adoptNode(main));
          document.title = page.title;
          init();
          var summary = document.querySelector(".govuk-error-summary");
          if (summary) { summary.setAttribute("tabindex", "-1"); summary.focus(); }
        } else {
          status.textContent = "The upload failed (" + xhr.status + "). Reload the page and try again.";
          if (button) { button.disabled = false; }
        }
      });
      xhr.addEventListener("error", function () {
        status.textContent = "The connection to the hub was lost while sending. Check your connection and try again.";
        if (button) { button.disabled = false; }
      });
      xhr.send(new FormData(form));
    });
  }

  init();
})();
