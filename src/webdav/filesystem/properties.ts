/** Dead-property helpers shared by the FileSystem implementations. */
import type { DeadProperty, PropertyPatch } from "./types.js";

export function propertyKey(ns: string, name: string): string {
  return `${ns}\u0000${name}`;
}

/** The properties after `patches`, applied in order (RFC 4918 §9.2: document order). */
export function applyPatches(
  current: readonly DeadProperty[],
  patches: readonly PropertyPatch[],
): DeadProperty[] {
  const byKey = new Map(current.map((property) => [propertyKey(property.ns, property.name), property]));
  for (const patch of patches) {
    if (patch.op === "set") byKey.set(propertyKey(patch.property.ns, patch.property.name), patch.property);
    else byKey.delete(propertyKey(patch.ns, patch.name));
  }
  return [...byKey.values()];
}
