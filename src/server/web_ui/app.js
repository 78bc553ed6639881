// The tgs-converter page: every sticker added becomes a card that asks this server's API
// (POST /info, POST /convert) for its metadata, its animation, single frames and downloads.
// Plain JavaScript, no framework, no build step; served from the binary (src/server/web_ui/).

/** The whole-animation formats, plus PNG for the frame under the scrubber. */
const FORMATS = [
  { id: 'png', label: 'PNG', hint: 'the frame shown' },
  { id: 'webp', label: 'WebP', hint: 'animated' },
  { id: 'apng', label: 'APNG', hint: 'animated' },
  { id: 'gif', label: 'GIF', hint: 'animated' },
];

/**
 * Platform presets (`/convert?preset=`): the server searches fps and quality until the file fits
 * the platform's rule. `maxBytes` is the platform's size limit (decimal kB, the strict reading; a
 * still WhatsApp sticker has its own), which the page checks the answer against itself too.
 */
const PRESETS = [
  {
    id: 'whatsapp',
    label: 'WhatsApp',
    rule: 'WebP 512 px, ≤ 500 kB (still ≤ 100 kB), ≤ 10 s',
    maxBytes: (info) => (info.totalFrames > 1 ? 500_000 : 100_000),
  },
  { id: 'signal', label: 'Signal', rule: 'APNG 512 px, ≤ 300 kB, ≤ 3 s', maxBytes: () => 300_000 },
  { id: 'discord', label: 'Discord', rule: 'APNG 320 px, ≤ 512 kB', maxBytes: () => 512_000 },
  { id: 'telegram-emoji', label: 'Telegram emoji', rule: '100 × 100 px', maxBytes: () => null },
];

const EXTENSIONS = {
  'image/png': 'png',
  'image/webp': 'webp',
  'image/apng': 'apng', // as the format button and the CLI name it
  'image/gif': 'gif',
};

/** Whole-animation conversions at a time (per page); frames for the scrubber skip this queue. */
const EXPORTS_AT_ONCE = 2;
/** Retries of a request answered 429/503 with a short Retry-After. */
const RETRIES = 3;

/** An error answer of the API (`{code, message}`), or a network failure. */
class ApiError extends Error {
  constructor(message, code, status) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs at most `n` of the functions given to it at once, in order. */
function limiter(n) {
  let active = 0;
  const waiting = [];
  return async (fn) => {
    while (active >= n) await new Promise((resolve) => waiting.push(resolve));
    active += 1;
    try {
      return await fn();
    } finally {
      active -= 1;
      waiting.shift()?.();
    }
  };
}
const exportQueue = limiter(EXPORTS_AT_ONCE);

/** The error of a failed response: its JSON `message`, or the HTTP status for anything else. */
async function errorOf(res) {
  let body = null;
  try {
    body = await res.json();
  } catch {
    // Not JSON (e.g. a proxy's HTML page): fall back to the status line.
  }
  const message = body && typeof body.message === 'string'
    ? body.message
    : `the server answered ${res.status} ${res.statusText}`.trim();
  return new ApiError(message, body?.code ?? `http_${res.status}`, res.status);
}

/** POSTs the sticker file as the raw body to `path` with the query `params`. */
async function post(path, file, params = {}, signal = undefined) {
  const query = new URLSearchParams(params).toString();
  const url = query ? `${path}?${query}` : path;
  for (let attempt = 0; ; attempt += 1) {
    let res;
    try {
      res = await fetch(url, {
        method: 'POST',
        // octet-stream: the server recognises .tgs and JSON by content, whatever the file's type.
        headers: { 'Content-Type': 'application/octet-stream' },
        body: file,
        signal,
      });
    } catch (err) {
      if (err.name === 'AbortError') throw err;
      throw new ApiError(`cannot reach the server (${err.message})`, 'network', 0);
    }
    if (res.ok) return res;
    const wait = Number(res.headers.get('Retry-After'));
    if ((res.status === 429 || res.status === 503) && attempt < RETRIES && wait >= 0 && wait <= 5) {
      await sleep(wait * 1000 + 100);
      continue;
    }
    throw await errorOf(res);
  }
}

/** 1234567 -> "1.23 MB" (decimal units, as the platforms state their limits). */
function formatBytes(n) {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB'];
  let value = n / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`;
}

function formatNumber(x) {
  return Number.isInteger(x) ? String(x) : x.toFixed(2).replace(/0+$/, '');
}

/** Starts the browser download of `blob` as `name`. */
function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  // The download has its own reference by now; free ours a little later.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** `el('button', {className: 'x'}, 'text', child)` */
function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

/** Shows `blob` in `img` (an object URL, the old one freed); resolves once decoded. */
async function showImage(img, blob) {
  const url = URL.createObjectURL(blob);
  const old = img.dataset.url;
  img.src = url;
  img.dataset.url = url;
  try {
    await img.decode();
  } catch {
    if (old) URL.revokeObjectURL(old);
    throw new ApiError('this browser cannot display the image', 'decode', 0);
  }
  if (old) URL.revokeObjectURL(old);
  img.hidden = false;
}

/** One sticker on the page: its card, its conversions and their results. */
class Sticker {
  constructor(file, container) {
    this.file = file;
    this.base = file.name.replace(/\.(tgs|json)$/i, '') || 'sticker';
    this.info = null;
    this.results = new Map(); // format id -> Promise<{blob, type}>
    this.frameBlob = null;
    this.frameShown = -1;
    this.frameWanted = 0;
    this.frameLoading = false;
    this.removed = false;

    const card = document.getElementById('sticker-template').content.firstElementChild.cloneNode(true);
    this.card = card;
    this.q = (selector) => card.querySelector(selector);
    this.q('.name').textContent = file.name || 'pasted sticker';
    this.q('.file-size').textContent = formatBytes(file.size);
    this.q('.remove').addEventListener('click', () => this.remove());
    this.scrubber = this.q('.scrubber');
    this.scrubber.setAttribute('aria-label', `Frame of ${file.name || 'the sticker'}`);
    this.scrubber.addEventListener('input', () => this.wantFrame(Number(this.scrubber.value)));
    this.buildButtons();
    container.prepend(card);
  }

  buildButtons() {
    this.formatButtons = new Map();
    const formats = this.q('.formats');
    for (const format of FORMATS) {
      const size = el('span', { className: 'size', textContent: '…' });
      const button = el(
        'button',
        { type: 'button', className: 'button download', disabled: true, title: `Download ${format.label} (${format.hint})` },
        el('span', { className: 'label', textContent: format.label }),
        size,
      );
      button.dataset.format = format.id;
      button.addEventListener('click', () => this.downloadFormat(format));
      formats.append(button);
      this.formatButtons.set(format.id, { button, size });
    }
    this.formatErrors = el('ul', { className: 'format-errors' });
    formats.after(this.formatErrors);

    const presets = this.q('.presets');
    this.presetState = new Map();
    for (const preset of PRESETS) {
      const result = el('span', { className: 'preset-result' });
      const button = el(
        'button',
        { type: 'button', className: 'button preset', disabled: true, title: `Convert for ${preset.label} and download` },
        preset.label,
      );
      button.dataset.preset = preset.id;
      button.addEventListener('click', () => this.runPreset(preset, button, result));
      const text = el('div', { className: 'preset-text' }, el('span', { className: 'rule', textContent: preset.rule }), result);
      const row = el('div', { className: 'preset-row' }, button, text);
      row.dataset.preset = preset.id;
      presets.append(row);
      this.presetState.set(preset.id, null);
    }
  }

  /** Shows `message` as this sticker's error (and stops the busy state). */
  fail(err) {
    const box = this.q('.error');
    box.textContent = err.message;
    if (err.code && err.code !== 'network') box.dataset.code = err.code;
    box.hidden = false;
    this.card.classList.add('failed');
    this.card.setAttribute('aria-busy', 'false');
  }

  remove() {
    this.removed = true;
    for (const img of this.card.querySelectorAll('img[data-url]')) URL.revokeObjectURL(img.dataset.url);
    const next = this.card.nextElementSibling ?? this.card.previousElementSibling;
    this.card.remove();
    (next?.querySelector('.remove') ?? document.getElementById('files')).focus();
  }

  /** Reads the info, then renders frame 0 and the animated formats. */
  async start() {
    try {
      const res = await post('/info', this.file);
      this.info = await res.json();
    } catch (err) {
      for (const stage of this.card.querySelectorAll('.stage-note')) stage.textContent = 'Nothing to show';
      this.fail(err);
      return;
    }
    this.showInfo();
    this.scrubber.max = String(Math.max(0, this.info.totalFrames - 1));
    this.scrubber.disabled = this.info.totalFrames <= 1;
    for (const button of this.card.querySelectorAll('button.preset')) button.disabled = false;
    this.wantFrame(0);
    const animation = this.convert('webp');
    this.showAnimation(animation);
    await Promise.allSettled([animation, this.convert('apng'), this.convert('gif')]);
    this.card.setAttribute('aria-busy', 'false');
  }

  showInfo() {
    const { info } = this;
    const rows = [
      ['Size', `${formatNumber(info.width)} × ${formatNumber(info.height)} px`],
      ['Frames', String(info.totalFrames)],
      ['Frame rate', `${formatNumber(info.frameRate)} fps`],
      ['Duration', `${info.duration.toFixed(2)} s`],
      ['Layers', String(info.layers)],
    ];
    if (info.version) rows.push(['Lottie', info.version]);
    if (info.name) rows.push(['Name', info.name, 'wide']);
    const list = this.q('.info');
    for (const [term, value, className = ''] of rows) {
      list.append(el('div', { className }, el('dt', { textContent: term }), el('dd', { textContent: value })));
    }
    const warnings = this.q('.warnings');
    for (const warning of info.warnings ?? []) warnings.append(el('li', { textContent: warning }));
    if (warnings.children.length) {
      warnings.before(el('p', { className: 'warnings-title', textContent: 'Not supported (drawn without it):' }));
      warnings.hidden = false;
    }
  }

  /** Converts the whole animation to `format` once (queued); the download button shows the size. */
  convert(format) {
    if (!this.results.has(format)) {
      const { button, size } = this.formatButtons.get(format);
      const job = exportQueue(async () => {
        if (this.removed) throw new ApiError('removed', 'removed', 0);
        const res = await post('/convert', this.file, { format, frame: 'all' });
        return { blob: await res.blob(), type: res.headers.get('Content-Type') };
      });
      job.then(
        ({ blob }) => {
          size.textContent = formatBytes(blob.size);
          button.title = `Download ${format.toUpperCase()}: ${blob.size} bytes`;
          button.disabled = false;
        },
        (err) => {
          size.textContent = 'failed';
          this.formatErrors.append(el('li', { textContent: `${format.toUpperCase()}: ${err.message}` }));
        },
      );
      this.results.set(format, job);
    }
    return this.results.get(format);
  }

  async showAnimation(job) {
    const img = this.q('.anim');
    const note = img.nextElementSibling;
    try {
      const { blob } = await job;
      img.alt = `${this.file.name}, animated`;
      await showImage(img, blob);
      note.hidden = true;
    } catch (err) {
      note.textContent = err.message;
      note.classList.add('stage-error');
    }
  }

  async downloadFormat(format) {
    if (format.id === 'png') {
      if (this.frameBlob) download(this.frameBlob, `${this.base}-frame${this.frameShown}.png`);
      return;
    }
    try {
      const { blob } = await this.convert(format.id);
      download(blob, `${this.base}.${format.id}`);
    } catch {
      // Already shown next to the buttons.
    }
  }

  /** Asks for frame `k` as PNG; while one is loading, only the latest wish is kept. */
  wantFrame(k) {
    this.frameWanted = k;
    this.q('.frame-label').textContent = this.frameText(k);
    if (!this.frameLoading) this.loadFrames();
  }

  frameText(k) {
    if (!this.info) return String(k);
    const seconds = k / this.info.frameRate;
    return `${k} / ${this.info.totalFrames - 1} · ${seconds.toFixed(2)} s`;
  }

  async loadFrames() {
    this.frameLoading = true;
    const img = this.q('.frame');
    const note = img.nextElementSibling;
    const { button, size } = this.formatButtons.get('png');
    while (this.frameShown !== this.frameWanted && !this.removed) {
      const k = this.frameWanted;
      try {
        const res = await post('/convert', this.file, { format: 'png', frame: String(k) });
        const blob = await res.blob();
        img.alt = `${this.file.name}, frame ${k}`;
        await showImage(img, blob);
        img.dataset.frame = String(k);
        this.frameBlob = blob;
        this.frameShown = k;
        note.hidden = true;
        size.textContent = formatBytes(blob.size);
        button.disabled = false;
        button.title = `Download frame ${k} as PNG: ${blob.size} bytes`;
      } catch (err) {
        img.hidden = true;
        note.hidden = false;
        note.textContent = err.message;
        note.classList.add('stage-error');
        this.frameBlob = null;
        this.frameShown = k;
        button.disabled = true;
        size.textContent = 'failed';
      }
    }
    this.frameLoading = false;
  }

  /**
   * Converts with a platform preset (once) and downloads the file if it fits; a later click
   * downloads it whatever the verdict.
   */
  async runPreset(preset, button, result) {
    const done = this.presetState.get(preset.id);
    if (done) {
      download(done.blob, `${this.base}-${preset.id}.${done.extension}`);
      return;
    }
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    result.className = 'preset-result';
    result.textContent = 'Converting…';
    const state = await exportQueue(() => this.presetJob(preset)).catch((error) => ({ error }));
    button.removeAttribute('aria-busy');
    button.disabled = false;
    this.showPreset(state, result);
    if (state.error) return; // the next click tries again
    this.presetState.set(preset.id, state);
    button.title = `Download the ${preset.label} file: ${state.blob.size} bytes`;
    if (state.limit === null || state.blob.size <= state.limit) {
      download(state.blob, `${this.base}-${preset.id}.${state.extension}`);
    }
  }

  async presetJob(preset) {
    const res = await post('/convert', this.file, { preset: preset.id });
    const fps = res.headers.get('X-Preset-Fps');
    const quality = res.headers.get('X-Preset-Quality');
    if (fps === null && quality === null) {
      // A server without presets ignores the parameter and answers a plain PNG.
      throw new ApiError(`this server does not support presets yet (it ignored preset=${preset.id})`, 'no_presets', 0);
    }
    const type = (res.headers.get('Content-Type') ?? '').split(';')[0].trim();
    const blob = await res.blob();
    return { blob, fps, quality, extension: EXTENSIONS[type] ?? 'bin', limit: preset.maxBytes(this.info) };
  }

  showPreset(state, result) {
    result.replaceChildren();
    if (state.error) {
      result.className = 'preset-result bad';
      // The server answers 422 when no fps/quality step makes the file fit the platform's rule.
      let verdict = 'Failed: ';
      if (state.error.code === 'no_presets') verdict = 'Unavailable: ';
      else if (state.error.status === 422) verdict = 'Does not fit: ';
      result.append(el('strong', { textContent: verdict }), state.error.message);
      return;
    }
    const size = formatBytes(state.blob.size);
    const chosen = [state.fps && `${state.fps} fps`, state.quality && `quality ${state.quality}`].filter(Boolean).join(', ');
    const details = chosen ? ` (${chosen})` : '';
    if (state.limit !== null && state.blob.size > state.limit) {
      // The server answered a file, but it is over the platform's limit as the page reads it.
      result.className = 'preset-result bad';
      result.append(el('strong', { textContent: `Over the limit: ${size} > ${formatBytes(state.limit)}` }), details);
      return;
    }
    result.className = 'preset-result good';
    const of = state.limit === null ? '' : ` of ${formatBytes(state.limit)}`;
    result.append(el('strong', { textContent: `Fits: ${size}${of}` }), details);
  }
}

// ---- Adding files: the picker, drag and drop, paste ----

const stickers = document.getElementById('stickers');
const status = document.getElementById('status');

function addFiles(files) {
  const list = [...files];
  if (!list.length) return;
  status.textContent = list.length === 1 ? `Added ${list[0].name || 'a sticker'}` : `Added ${list.length} stickers`;
  // Prepended one by one: reverse so that the first file ends up on top.
  for (const file of list.reverse()) new Sticker(file, stickers).start();
}

const input = document.getElementById('files');
input.addEventListener('change', () => {
  addFiles(input.files);
  input.value = '';
});

const drop = document.getElementById('drop');
let dragDepth = 0;
document.addEventListener('dragenter', (event) => {
  if (!event.dataTransfer?.types.includes('Files')) return;
  dragDepth += 1;
  drop.classList.add('dragging');
});
document.addEventListener('dragleave', () => {
  dragDepth = Math.max(0, dragDepth - 1);
  if (!dragDepth) drop.classList.remove('dragging');
});
document.addEventListener('dragover', (event) => event.preventDefault());
document.addEventListener('drop', (event) => {
  event.preventDefault();
  dragDepth = 0;
  drop.classList.remove('dragging');
  addFiles(event.dataTransfer?.files ?? []);
});

document.addEventListener('paste', (event) => {
  const data = event.clipboardData;
  if (!data) return;
  if (data.files.length) {
    event.preventDefault();
    addFiles(data.files);
    return;
  }
  // Lottie JSON pasted as text.
  const text = data.getData('text/plain').trim();
  if (text.startsWith('{') && !(event.target instanceof HTMLInputElement)) {
    event.preventDefault();
    addFiles([new File([text], 'pasted.json', { type: 'application/json' })]);
  }
});
