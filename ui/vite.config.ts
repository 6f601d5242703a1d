/// <reference types="vitest/config" />
import { defineConfig, type Plugin } from "vite";
import react from "@vitejs/plugin-react";
import { readFile } from "node:fs/promises";

/**
 * The Tauri window runs with `freezePrototype` (Object.prototype frozen). ECharts' scheduler
 * copies every enumerable name of two class prototypes onto plain objects at load time,
 * including `constructor`, and assigning `constructor` on a plain object then throws
 * ("Cannot assign to read only property 'constructor'"), so no chart could load. This skips
 * that one name, which ECharts never calls on those mocks. The build fails if the code it
 * patches changes, so an ECharts upgrade can't silently undo it.
 */
const SCHEDULER = /echarts[\\/]lib[\\/]core[\\/]Scheduler\.js$/;
const NEEDLE = "target[name_1] = noop;";
const PATCHED = 'if (name_1 !== "constructor") target[name_1] = noop;';

function patchScheduler(code: string, fail: (message: string) => never): string {
  if (!code.includes(NEEDLE)) fail("echarts' Scheduler.mockMethods changed: review the frozen-prototype patch in vite.config.ts");
  return code.replace(NEEDLE, PATCHED);
}

function echartsFrozenPrototype(): Plugin {
  return {
    name: "echarts-frozen-prototype",
    enforce: "pre",
    transform(code, id) {
      if (!SCHEDULER.test(id)) return null;
      return { code: patchScheduler(code, (m) => this.error(m)), map: null };
    },
  };
}

/** The same patch for the dev server, whose dependencies esbuild pre-bundles. */
const echartsFrozenPrototypeEsbuild = {
  name: "echarts-frozen-prototype",
  setup(build: { onLoad: (o: { filter: RegExp }, cb: (a: { path: string }) => Promise<{ contents: string; loader: "js" }>) => void }) {
    build.onLoad({ filter: SCHEDULER }, async ({ path }) => {
      const code = await readFile(path, "utf8");
      return {
        contents: patchScheduler(code, (m) => {
          throw new Error(m);
        }),
        loader: "js",
      };
    });
  },
};

// Tauri serves `dist/` itself in release builds; in development it loads the dev server below.
// The port is fixed so `tauri.conf.json`'s devUrl can point at it.
export default defineConfig({
  plugins: [react(), echartsFrozenPrototype()],
  optimizeDeps: { esbuildOptions: { plugins: [echartsFrozenPrototypeEsbuild] } },
  clearScreen: false,
  server: { port: 5173, strictPort: true, host: "127.0.0.1" },
  preview: { port: 4173, strictPort: true, host: "127.0.0.1" },
  envPrefix: ["VITE_", "TAURI_ENV_"],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // WebKitGTK (Linux), WKWebView (macOS) and WebView2 (Windows) all support ES2021.
    target: "es2021",
    sourcemap: false,
    chunkSizeWarningLimit: 1200,
  },
  test: {
    environment: "node",
    include: ["src/**/*.test.ts", "src/**/*.test.tsx"],
  },
});
