// A small W3C WebDriver client (fetch only, no dependencies) for driving the app's real
// webview through tauri-driver and WebKitWebDriver.

const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

export class WebDriverError extends Error {}

export class Session {
  constructor(base, id) {
    this.base = base;
    this.id = id;
  }

  static async create(base, capabilities) {
    const value = await call(base, "POST", "/session", {
      capabilities: { alwaysMatch: capabilities, firstMatch: [{}] },
      desiredCapabilities: capabilities,
    });
    return new Session(base, value.sessionId ?? value.session_id);
  }

  cmd(method, path, body) {
    return call(this.base, method, `/session/${this.id}${path}`, body);
  }

  async find(css) {
    return ref(await this.cmd("POST", "/element", { using: "css selector", value: css }));
  }

  async findAll(css) {
    const value = await this.cmd("POST", "/elements", { using: "css selector", value: css });
    return value.map(ref);
  }

  click(el) {
    return this.cmd("POST", `/element/${el}/click`, {});
  }

  type(el, text) {
    return this.cmd("POST", `/element/${el}/value`, { text, value: [...text] });
  }

  clear(el) {
    return this.cmd("POST", `/element/${el}/clear`, {});
  }

  text(el) {
    return this.cmd("GET", `/element/${el}/text`);
  }

  attribute(el, name) {
    return this.cmd("GET", `/element/${el}/attribute/${name}`);
  }

  property(el, name) {
    return this.cmd("GET", `/element/${el}/property/${name}`);
  }

  execute(script, args = []) {
    return this.cmd("POST", "/execute/sync", { script, args });
  }

  /** PNG of the window's page, as a Buffer. */
  async screenshot() {
    return Buffer.from(await this.cmd("GET", "/screenshot"), "base64");
  }

  close() {
    return this.cmd("DELETE", "");
  }

  /** Waits until `css` matches an element for which `check(session, el)` holds. */
  async waitFor(css, { timeout = 15000, check, what } = {}) {
    const deadline = Date.now() + timeout;
    let last = "";
    for (;;) {
      try {
        const els = await this.findAll(css);
        for (const el of els) {
          if (!check || (await check(this, el))) return el;
        }
        last = els.length ? "present but not as expected" : "not present";
      } catch (e) {
        last = e.message;
      }
      if (Date.now() > deadline) {
        throw new WebDriverError(`Timed out after ${timeout} ms waiting for ${what ?? css} (${last})`);
      }
      await sleep(100);
    }
  }

  /** Waits for `css` whose text matches `pattern`; returns the text. */
  async waitForText(css, pattern, options = {}) {
    let seen = "";
    const el = await this.waitFor(css, {
      ...options,
      what: `${css} matching ${pattern}`,
      check: async (s, e) => {
        seen = await s.text(e);
        return pattern.test(seen);
      },
    });
    return { el, text: seen };
  }

  /** The text of the first element matching `css`, retried if the page re-renders it. */
  async readText(css, options = {}) {
    let text = "";
    await this.waitFor(css, {
      ...options,
      check: async (s, el) => {
        text = await s.text(el);
        return true;
      },
    });
    return text;
  }

  /** Clicks the element matched by `css` (waiting for it first). */
  async clickOn(css, options) {
    for (let attempt = 1; ; attempt++) {
      const el = await this.waitFor(css, options);
      try {
        await this.click(el);
        return el;
      } catch (e) {
        // Re-rendered between finding and clicking it: find it again.
        if (attempt >= 3 || !/stale element/.test(e.message)) throw e;
      }
    }
  }

  /** Replaces the value of an input matched by `css`. On a busy machine a controlled input can
   * re-render its old value between the clear and the typing, so the result is read back and
   * the fill done again until the input holds exactly `text`. */
  async fill(css, text, options) {
    for (let attempt = 1; ; attempt++) {
      const el = await this.waitFor(css, options);
      await this.clear(el);
      if (text !== "") await this.type(el, text);
      const value = await this.execute("return arguments[0].value;", [arg(el)]);
      if (value === text || attempt >= 4) return el;
      await sleep(200 * attempt);
    }
  }
}

/** An element id from a W3C reference or a legacy (JSON Wire) one. */
function ref(value) {
  const id = value?.[ELEMENT] ?? value?.ELEMENT;
  if (!id) throw new WebDriverError(`not an element reference: ${JSON.stringify(value)}`);
  return id;
}

/** An element as a script argument. */
export function arg(id) {
  return { [ELEMENT]: id, ELEMENT: id };
}

async function call(base, method, path, body) {
  const response = await fetch(base + path, {
    method,
    headers: { "content-type": "application/json; charset=utf-8" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(60000),
  });
  const text = await response.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    throw new WebDriverError(`${method} ${path}: HTTP ${response.status}: ${text.slice(0, 300)}`);
  }
  const value = json.value ?? json;
  if (!response.ok || (value && value.error)) {
    throw new WebDriverError(`${method} ${path}: ${value?.error ?? response.status}: ${value?.message ?? text.slice(0, 300)}`);
  }
  return value;
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
