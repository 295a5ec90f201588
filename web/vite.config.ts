import { defineConfig } from "vite";

// No framework plugin: esbuild compiles Preact's JSX directly. The output has no inline script
// or style, so the server's Content-Security-Policy can forbid both.
export default defineConfig({
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    target: "es2022",
    sourcemap: false,
  },
  server: {
    proxy: { "/api": process.env.DANGOL_API ?? "http://127.0.0.1:8080" },
  },
});
