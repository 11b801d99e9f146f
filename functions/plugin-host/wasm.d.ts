// Wrangler's default module rules load `*.wasm` imports as compiled modules ("CompiledWasm"): the import's
// default export is a `WebAssembly.Module`. Workers refuse to compile WebAssembly from bytes at run time
// ("Wasm code generation disallowed by embedder"), so plugins reach the host only this way.
declare module "*.wasm" {
  const module: WebAssembly.Module;
  export default module;
}

// plugins/build/ is build output (not committed). Declaring the manifest's shape lets the Worker typecheck
// before `npm run build:plugins` has run; the registry validates the content when it loads.
declare module "*/plugins/build/manifest.json" {
  const manifest: {
    plugins: Array<{
      name: string;
      version: string;
      stage: number;
      inputCap: number;
      memoryCapPages: number;
      memoryMinPages: number;
      sha256: string;
      file?: string;
      bytes?: number;
    }>;
  };
  export default manifest;
}
