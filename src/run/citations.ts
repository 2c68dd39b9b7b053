/**
 * Documents a graph draws on (LangChain `Document`s from a retriever, a tool's artifact or a
 * node's state), as citations: a title, the URL when the document is on the web, its text.
 */
import type { DocumentInterface } from "@langchain/core/documents";
import type { Citation } from "./events.js";

/** Duck-typed: a graph may use its own copy of @langchain/core. */
export function isDocument(value: unknown): value is DocumentInterface {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as DocumentInterface).pageContent === "string" &&
    typeof (value as DocumentInterface).metadata === "object"
  );
}

/** The documents in a value: a document, or a list holding some. */
export function documentsIn(value: unknown): DocumentInterface[] {
  if (isDocument(value)) return [value];
  return Array.isArray(value) ? value.filter(isDocument) : [];
}

const TITLE_LENGTH = 80;

function stringField(metadata: Record<string, unknown>, key: string): string | undefined {
  const value = metadata[key];
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

export function citationOf(document: DocumentInterface): Citation {
  const metadata = (document.metadata ?? {}) as Record<string, unknown>;
  const source = stringField(metadata, "source");
  const url = stringField(metadata, "url") ?? (source && /^https?:\/\//i.test(source) ? source : undefined);
  const text = document.pageContent.trim();
  const firstLine = text.split("\n", 1)[0]!.slice(0, TITLE_LENGTH);
  const title = stringField(metadata, "title") ?? stringField(metadata, "name") ?? source ?? url ?? (firstLine || "Document");
  return { title, ...(url && { url }), ...(text && { text }) };
}

/** What makes two citations the same document. */
export function citationKey(citation: Citation): string {
  return citation.url ?? `${citation.title}\n${citation.text ?? ""}`;
}
