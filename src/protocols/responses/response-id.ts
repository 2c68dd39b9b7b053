/**
 * Response and item ids that are LangGraph checkpoints. A stored response is the
 * checkpoint its run ended on; its id carries the thread, the model and the run's
 * marker (a random token the run writes into the metadata of every checkpoint it makes,
 * see `response-store.ts`), so the id is known before the run ends and resolves with
 * the checkpointer alone, on any replica, after any restart. Item ids carry the same
 * and the item's place in the response's output. Every id is signed with the server's
 * secret (HMAC-SHA256): a forged or foreign id names no thread at all.
 *
 * Layout, base64url after the prefix: kind (1 byte), marker (9), output index (2),
 * model length (2), model, thread id, then the first 16 bytes of the HMAC of all that.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export type IdKind = "resp" | "msg" | "fc" | "rs";

/** What a signed id names: the run's checkpoint (thread and marker), and the model that made it. */
export interface ResponseRef {
  threadId: string;
  model: string;
  marker: string;
}

export interface ItemRef extends ResponseRef {
  kind: Exclude<IdKind, "resp">;
  /** The item's index in its response's `output`. */
  index: number;
}

const KIND_BYTE: Record<IdKind, number> = { resp: 1, msg: 2, fc: 3, rs: 4 };
const MARKER_BYTES = 9;
const SIGNATURE_BYTES = 16;
const HEADER_BYTES = 1 + MARKER_BYTES + 2 + 2;

/** Signs with the first secret; accepts any of them (the rest are older or another replica's, see `response-secret.ts`). */
export interface SecretSource {
  current(): Promise<string[]>;
  /** Reads the secrets again, when an id fails every known one. */
  refresh(): Promise<string[]>;
}

function sign(secret: string, payload: Buffer): Buffer {
  return createHmac("sha256", secret).update(payload).digest().subarray(0, SIGNATURE_BYTES);
}

function encode(kind: IdKind, ref: ResponseRef, index: number): Buffer {
  const model = Buffer.from(ref.model, "utf8");
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt8(KIND_BYTE[kind], 0);
  Buffer.from(ref.marker, "base64url").copy(header, 1, 0, MARKER_BYTES);
  header.writeUInt16BE(index, 1 + MARKER_BYTES);
  header.writeUInt16BE(model.length, 1 + MARKER_BYTES + 2);
  return Buffer.concat([header, model, Buffer.from(ref.threadId, "utf8")]);
}

function decode(payload: Buffer): { kind: number; ref: ResponseRef; index: number } | undefined {
  if (payload.length < HEADER_BYTES) return undefined;
  const modelLength = payload.readUInt16BE(1 + MARKER_BYTES + 2);
  if (payload.length < HEADER_BYTES + modelLength + 1) return undefined;
  return {
    kind: payload.readUInt8(0),
    index: payload.readUInt16BE(1 + MARKER_BYTES),
    ref: {
      marker: payload.subarray(1, 1 + MARKER_BYTES).toString("base64url"),
      model: payload.subarray(HEADER_BYTES, HEADER_BYTES + modelLength).toString("utf8"),
      threadId: payload.subarray(HEADER_BYTES + modelLength).toString("utf8"),
    },
  };
}

/** A fresh marker: unique per run on a thread, which is all a metadata filter needs. */
export function newMarker(): string {
  return randomBytes(MARKER_BYTES).toString("base64url");
}

/** An id that names nothing, for responses that are not stored (`store: false`). */
export function unsignedId(kind: IdKind): string {
  return `${kind}_${randomBytes(24).toString("hex")}`;
}

/** The id of a stored response (`kind` "resp"), or of the item at `index` of its output. */
export function signedId(secret: string, kind: IdKind, ref: ResponseRef, index = 0): string {
  const payload = encode(kind, ref, index);
  return `${kind}_${Buffer.concat([payload, sign(secret, payload)]).toString("base64url")}`;
}

export interface ResponseIds {
  secrets: SecretSource;
  /** The response an id names, or undefined for an id this server did not sign. */
  parseResponseId(id: string): Promise<ResponseRef | undefined>;
  parseItemId(id: string): Promise<ItemRef | undefined>;
}

export function responseIds(secrets: SecretSource): ResponseIds {
  const verify = async (id: string): Promise<{ kind: IdKind; ref: ResponseRef; index: number } | undefined> => {
    const underscore = id.indexOf("_");
    const prefix = id.slice(0, underscore) as IdKind;
    if (underscore < 0 || !Object.hasOwn(KIND_BYTE, prefix)) return undefined;
    const bytes = Buffer.from(id.slice(underscore + 1), "base64url");
    if (bytes.length <= SIGNATURE_BYTES || bytes.toString("base64url") !== id.slice(underscore + 1)) return undefined;
    const payload = bytes.subarray(0, bytes.length - SIGNATURE_BYTES);
    const signature = bytes.subarray(bytes.length - SIGNATURE_BYTES);
    const decoded = decode(payload);
    if (!decoded || decoded.kind !== KIND_BYTE[prefix]) return undefined;
    const matches = (keys: string[]) => keys.some((secret) => timingSafeEqual(sign(secret, payload), signature));
    if (matches(await secrets.current()) || matches(await secrets.refresh())) return { kind: prefix, ref: decoded.ref, index: decoded.index };
    return undefined;
  };
  return {
    secrets,
    async parseResponseId(id) {
      const verified = await verify(id);
      return verified?.kind === "resp" ? verified.ref : undefined;
    },
    async parseItemId(id) {
      const verified = await verify(id);
      if (!verified || verified.kind === "resp") return undefined;
      return { ...verified.ref, kind: verified.kind, index: verified.index };
    },
  };
}
