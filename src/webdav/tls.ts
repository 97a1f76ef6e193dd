/** A self-signed certificate for HTTPS when none is configured (clients must trust it explicitly). */
import { isIP } from "node:net";
import { generate } from "selfsigned";

export interface GeneratedCertificate {
  cert: string;
  key: string;
  fingerprint: string;
}

export async function selfSignedCertificate(host: string): Promise<GeneratedCertificate> {
  const names = new Set(["localhost", host]);
  const altNames = [...names].map((name) =>
    isIP(name) ? { type: 7 as const, ip: name } : { type: 2 as const, value: name },
  );
  altNames.push({ type: 7 as const, ip: "127.0.0.1" });
  const pems = await generate([{ name: "commonName", value: host }], {
    keySize: 2048,
    extensions: [{ name: "subjectAltName", altNames }],
  });
  return { cert: pems.cert, key: pems.private, fingerprint: pems.fingerprint };
}
