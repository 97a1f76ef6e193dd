/** Dependency ordering of service definitions for the ServerFactory. */
import type { ServiceSwitch } from "./config.js";
import { ServiceRegistryError } from "./errors.js";

interface Orderable {
  name: string;
  enabledBy: ServiceSwitch;
  dependsOn: readonly string[];
}

/** The service a config switch turns on: enableWebDAV → "webdav". */
export function serviceNameOf(flag: ServiceSwitch): string {
  return flag.slice("enable".length).toLowerCase();
}

/**
 * Orders `definitions` so each comes after its dependencies (registry order breaks ties), then keeps
 * the enabled ones. The whole registry is checked, so a bad definition fails whatever the config.
 * `extraNames` are services known to exist without a definition (not available in this build).
 */
export function orderServices<T extends Orderable>(
  definitions: readonly T[],
  isEnabled: (definition: T) => boolean,
  extraNames: readonly string[],
): T[] {
  const byName = new Map<string, T>();
  for (const definition of definitions) {
    if (byName.has(definition.name)) throw new ServiceRegistryError(`duplicate service "${definition.name}"`);
    byName.set(definition.name, definition);
  }
  const known = new Set([...byName.keys(), ...extraNames]);
  for (const definition of definitions) {
    const unknown = definition.dependsOn.find((name) => !known.has(name));
    if (unknown !== undefined) {
      throw new ServiceRegistryError(`service "${definition.name}" depends on unknown service "${unknown}"`);
    }
  }
  const ordered: T[] = [];
  const visiting: string[] = [];
  const visit = (definition: T): void => {
    if (ordered.includes(definition)) return;
    if (visiting.includes(definition.name)) {
      const cycle = [...visiting.slice(visiting.indexOf(definition.name)), definition.name];
      throw new ServiceRegistryError(`service dependency cycle: ${cycle.join(" -> ")}`);
    }
    visiting.push(definition.name);
    for (const name of definition.dependsOn) {
      const dependency = byName.get(name);
      if (dependency) visit(dependency);
    }
    visiting.pop();
    ordered.push(definition);
  };
  for (const definition of definitions) visit(definition);
  return ordered.filter(isEnabled);
}
