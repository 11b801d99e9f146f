export interface ExtraWorker {
  /** The folder under workers/. */
  folder: string;
  /** The Worker's name in its wrangler.toml: the service the main Worker binds. */
  name: string;
  /** Absolute path of its wrangler.toml. */
  config: string;
}
export function extraWorkers(root: string): ExtraWorker[];
export function serviceBindingsOf(configPath: string): Record<string, string>;
