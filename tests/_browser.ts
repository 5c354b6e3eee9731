/**
 * Headless Chromium (Debian's `chromium`, installed by scripts/install_test_deps.sh) driven over
 * the Chrome DevTools Protocol with Deno's own WebSocket: open a page, evaluate script in it,
 * wait for a condition, take a screenshot. A few protocol calls are all the console tests need,
 * so no browser-automation package is pulled in.
 * @module
 */

/** The Chromium executable, or undefined when it is not installed. */
export function chromiumPath(): string | undefined {
  for (const p of ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]) {
    try {
      Deno.statSync(p);
      return p;
    } catch { /* next */ }
  }
  return undefined;
}

/** A page in a headless browser. */
export interface BrowserPage {
  /** Loads `url` and waits for the load event (or, when only the hash changes, for that). */
  goto(url: string): Promise<void>;
  /** Evaluates an expression in the page; its value (JSON-serialisable) is returned. */
  evaluate<T>(expression: string): Promise<T>;
  /** Polls `expression` until it is truthy (every 100 ms, up to `timeoutMs`); returns its value. */
  waitFor<T>(expression: string, what: string, timeoutMs?: number): Promise<T>;
  /** A PNG of the page, written to `path`. */
  screenshot(path: string): Promise<void>;
  /** Closes the browser and removes its profile. */
  close(): Promise<void>;
}

/** Starts headless Chromium with one page. */
export async function openBrowser(): Promise<BrowserPage> {
  const exe = chromiumPath();
  if (!exe) throw new Error("Cannot start Chromium: not installed (scripts/install_test_deps.sh)");
  const profile = await Deno.makeTempDir({ prefix: "kafscale-chromium-" });
  const child = new Deno.Command(exe, {
    args: [
      "--headless=new",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--no-first-run",
      "--remote-debugging-port=0",
      `--user-data-dir=${profile}`,
      "--window-size=1400,1000",
      "about:blank",
    ],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  // Chromium prints "DevTools listening on ws://..." once it accepts connections.
  const decoder = new TextDecoder();
  let err = "";
  const reader = child.stderr.getReader();
  const deadline = Date.now() + 60_000;
  let browserWs = "";
  while (!browserWs) {
    const timeout = new Promise<null>((r) => setTimeout(() => r(null), deadline - Date.now()));
    const chunk = await Promise.race([reader.read(), timeout]);
    if (chunk === null || chunk.done) {
      child.kill("SIGKILL");
      throw new Error(`Chromium did not start: ${err.slice(-2000)}`);
    }
    err += decoder.decode(chunk.value, { stream: true });
    browserWs = err.match(/DevTools listening on (ws:\/\/\S+)/)?.[1] ?? "";
  }
  // Keep reading stderr so Chromium never blocks on a full pipe.
  const drained = (async () => {
    for (;;) {
      const c = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (c.done) return;
    }
  })();
  const http = new URL(browserWs.replace("ws://", "http://"));
  const targets = await (await fetch(`http://${http.host}/json/list`)).json() as {
    type: string;
    webSocketDebuggerUrl: string;
  }[];
  const page = targets.find((t) => t.type === "page");
  if (!page) throw new Error("Chromium opened no page");
  const ws = new WebSocket(page.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = () => reject(new Error("Cannot connect to Chromium's page"));
  });
  let nextId = 1;
  const waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  const loaded: (() => void)[] = [];
  ws.onmessage = (ev) => {
    const msg = JSON.parse(String(ev.data));
    if (msg.id !== undefined) {
      const w = waiting.get(msg.id);
      waiting.delete(msg.id);
      if (msg.error) w?.reject(new Error(`${msg.error.message}`));
      else w?.resolve(msg.result);
    } else if (
      msg.method === "Page.loadEventFired" || msg.method === "Page.navigatedWithinDocument"
    ) {
      // A new document fires load; a change of the hash alone only navigates within it.
      for (const l of loaded.splice(0)) l();
    }
  };
  const send = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      ws.send(JSON.stringify({ id, method, params }));
    });
  await send("Page.enable");
  await send("Runtime.enable");

  const evaluate = async <T>(expression: string): Promise<T> => {
    const r = await send("Runtime.evaluate", {
      expression,
      returnByValue: true,
      awaitPromise: true,
    }) as { result: { value?: T }; exceptionDetails?: { text: string } };
    if (r.exceptionDetails) throw new Error(`In the page: ${JSON.stringify(r.exceptionDetails)}`);
    return r.result.value as T;
  };
  return {
    async goto(url) {
      const load = new Promise<void>((r) => loaded.push(r));
      await send("Page.navigate", { url });
      await load;
    },
    evaluate,
    async waitFor<T>(expression: string, what: string, timeoutMs = 60_000): Promise<T> {
      const until = Date.now() + timeoutMs;
      let last: unknown;
      for (;;) {
        last = await evaluate<T>(expression).catch((e) => e);
        if (last && !(last instanceof Error)) return last as T;
        if (Date.now() > until) {
          const text = await evaluate<string>("document.body.innerText").catch(() => "");
          throw new Error(
            `Waited ${timeoutMs} ms for ${what}; last: ${last}; page: ${text.slice(0, 1500)}`,
          );
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async screenshot(path) {
      const r = await send("Page.captureScreenshot", {
        format: "png",
        captureBeyondViewport: true,
      });
      const b64 = r.data as string;
      await Deno.writeFile(path, Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));
    },
    async close() {
      try {
        ws.close();
      } catch { /* closed */ }
      try {
        child.kill("SIGKILL");
      } catch { /* gone */ }
      await child.status;
      await drained;
      await Deno.remove(profile, { recursive: true }).catch(() => {});
    },
  };
}
