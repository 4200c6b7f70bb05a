// Scanning a food's barcode with the camera, where the browser offers the BarcodeDetector API
// (Chromium on Android and some desktops).
//
// Where it does, this marks <html data-barcode-scanner>, which shows the nutrition page's "Scan with
// camera" button (hidden everywhere else, so typing the number stays the way in). The button calls
// adaptivefitBarcode.scan(formId): the rear camera opens in a small preview, and the first EAN-13,
// EAN-8, UPC-A or UPC-E code it reads goes into the form's barcode field and the form is submitted,
// so the server checks a scanned code exactly as it checks a typed one. The camera stops on
// success, on Cancel, on Escape and when the page goes away.
(function () {
  "use strict";
  if (window.adaptivefitBarcode) return;
  if (!("BarcodeDetector" in window) || !(navigator.mediaDevices && navigator.mediaDevices.getUserMedia)) return;

  var FORMATS = ["ean_13", "ean_8", "upc_a", "upc_e"];
  var FRAME_GAP_MS = 150;
  var active = null;

  document.documentElement.setAttribute("data-barcode-scanner", "");

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    if (text) node.textContent = text;
    return node;
  }

  function overlay() {
    var shade = element("div", {
      role: "dialog", "aria-modal": "true", "aria-label": "Scan a barcode",
      style: "position:fixed;inset:0;z-index:1000;display:flex;align-items:center;justify-content:center;" +
        "background:rgba(0,0,0,0.7);padding:1em",
    });
    var panel = element("div", {
      style: "background:var(--color-panel-solid, #fff);color:var(--gray-12, #111);border-radius:12px;" +
        "padding:1em;width:100%;max-width:26em;display:flex;flex-direction:column;gap:0.75em",
    });
    var title = element("h2", { style: "margin:0;font-size:1.15em" }, "Scan a barcode");
    var video = element("video", {
      muted: "", playsinline: "", autoplay: "", "aria-label": "Camera preview",
      style: "width:100%;aspect-ratio:4/3;object-fit:cover;border-radius:8px;background:#000",
    });
    video.muted = true;
    var status = element("p", { role: "status", style: "margin:0" }, "Point the camera at the barcode.");
    var cancel = element("button", {
      type: "button",
      style: "align-self:flex-end;padding:0.5em 1em;border-radius:8px;border:1px solid var(--gray-7, #999);" +
        "background:var(--gray-3, #eee);font:inherit;cursor:pointer",
    }, "Cancel scan");
    panel.append(title, video, status, cancel);
    shade.append(panel);
    return { shade: shade, video: video, status: status, cancel: cancel };
  }

  function stop() {
    if (!active) return;
    var scan = active;
    active = null;
    scan.stopped = true;
    if (scan.stream) scan.stream.getTracks().forEach(function (track) { track.stop(); });
    document.removeEventListener("keydown", scan.onKey);
    scan.view.shade.remove();
    if (scan.opener && scan.opener.focus) scan.opener.focus();
  }

  function submit(form, code) {
    var input = form.querySelector('input[name="barcode"]');
    if (!input) return;
    // Through the native setter, so React sees the change as if it were typed.
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set.call(input, code);
    input.dispatchEvent(new Event("input", { bubbles: true }));
    form.requestSubmit();
  }

  async function formats() {
    try {
      var supported = await window.BarcodeDetector.getSupportedFormats();
      var wanted = FORMATS.filter(function (name) { return supported.indexOf(name) >= 0; });
      return wanted.length ? wanted : FORMATS;
    } catch (error) {
      return FORMATS;
    }
  }

  async function watch(scan, detector, form) {
    while (!scan.stopped) {
      try {
        var codes = await detector.detect(scan.view.video);
        var found = codes.find(function (code) { return /^\d{8,14}$/.test(code.rawValue || ""); });
        if (found && !scan.stopped) {
          stop();
          submit(form, found.rawValue);
          return;
        }
      } catch (error) {
        // A frame that cannot be read yet (the video is still starting): try the next one.
      }
      await new Promise(function (resolve) { setTimeout(resolve, FRAME_GAP_MS); });
    }
  }

  async function scan(formId) {
    var form = document.getElementById(formId);
    if (active || !form) return;
    var view = overlay();
    var current = { view: view, stopped: false, stream: null, opener: document.activeElement };
    current.onKey = function (event) { if (event.key === "Escape") stop(); };
    active = current;
    view.cancel.addEventListener("click", stop);
    document.addEventListener("keydown", current.onKey);
    document.body.append(view.shade);
    view.cancel.focus();
    try {
      var detector = new window.BarcodeDetector({ formats: await formats() });
      var stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
      if (current.stopped) {
        stream.getTracks().forEach(function (track) { track.stop(); });
        return;
      }
      current.stream = stream;
      view.video.srcObject = stream;
      await view.video.play().catch(function () {});
      await watch(current, detector, form);
    } catch (error) {
      if (!current.stopped) {
        view.status.textContent = "The camera could not be opened. Allow the camera for this site, or type the number.";
      }
    }
  }

  window.addEventListener("pagehide", stop);
  window.adaptivefitBarcode = { scan: scan, stop: stop };
})();
