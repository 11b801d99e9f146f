/** Integration-test set-up, once per run: the whole local stack (see stack.ts), handed to tests by `provide`. */
import type { TestProject } from "vitest/node";
import { startStack } from "./stack.js";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stack = await startStack("test");
  project.provide("testEnvironment", stack.environment);
  return () => stack.stop();
}
