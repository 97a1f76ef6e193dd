/** PROPPATCH (RFC 4918 §9.2): sets and removes dead properties, all of them or none. */
import { checkWrite } from "../conditions.js";
import { type RequestContext, readXmlBody } from "../context.js";
import { BadRequestError } from "../errors.js";
import type { PropertyPatch } from "../filesystem/types.js";
import { isLiveProperty } from "../live-properties.js";
import { hrefOf } from "../paths.js";
import { sendXml } from "../respond.js";
import { childElements, findDavChild, isDav, type XmlElement } from "../xml/parse.js";
import { escapeXml, serializeChildren } from "../xml/write.js";
import { emptyElement, propstat } from "./propfind.js";

export async function proppatch(ctx: RequestContext): Promise<void> {
  await checkWrite(ctx, [{ path: ctx.path }]);
  const info = await ctx.fileSystem.stat(ctx.path);
  const patches = parsePropertyUpdate(await readXmlBody(ctx.req));
  const names = patches.map((patch) =>
    patch.op === "set"
      ? emptyElement(patch.property.ns, patch.property.name)
      : emptyElement(patch.ns, patch.name),
  );
  const protectedIndexes = patches
    .map((patch, index) => (isLiveProperty(...nameOfPatch(patch)) ? index : -1))
    .filter((index) => index !== -1);
  let body: string;
  if (protectedIndexes.length > 0) {
    // Nothing is applied: the protected ones are 403, the others fail because of them (424).
    const forbidden = names.filter((_, index) => protectedIndexes.includes(index));
    const dependent = names.filter((_, index) => !protectedIndexes.includes(index));
    body = propstat(forbidden, 403) + (dependent.length > 0 ? propstat(dependent, 424) : "");
  } else {
    await ctx.fileSystem.patchProperties(ctx.path, patches);
    body = propstat(names, 200);
  }
  const href = hrefOf(ctx.path, ctx.basePath, info.isCollection);
  sendXml(
    ctx.res,
    207,
    `<D:multistatus xmlns:D="DAV:"><D:response><D:href>${escapeXml(href)}</D:href>${body}</D:response></D:multistatus>`,
  );
}

function nameOfPatch(patch: PropertyPatch): [string, string] {
  return patch.op === "set" ? [patch.property.ns, patch.property.name] : [patch.ns, patch.name];
}

function parsePropertyUpdate(body: XmlElement | undefined): PropertyPatch[] {
  if (!body || !isDav(body, "propertyupdate")) {
    throw new BadRequestError("PROPPATCH body must be a DAV:propertyupdate element");
  }
  const patches: PropertyPatch[] = [];
  for (const instruction of childElements(body)) {
    const isSet = isDav(instruction, "set");
    if (!isSet && !isDav(instruction, "remove")) continue;
    const prop = findDavChild(instruction, "prop");
    if (!prop) throw new BadRequestError(`DAV:${instruction.name} needs a DAV:prop element`);
    for (const element of childElements(prop)) {
      if (!isSet) {
        patches.push({ op: "remove", ns: element.ns, name: element.name });
        continue;
      }
      const property = { ns: element.ns, name: element.name, value: serializeChildren(element) };
      const attributes = Object.keys(element.attributes).length > 0 ? { attributes: element.attributes } : {};
      patches.push({ op: "set", property: { ...property, ...attributes } });
    }
  }
  if (patches.length === 0) throw new BadRequestError("PROPPATCH changes no property");
  return patches;
}
