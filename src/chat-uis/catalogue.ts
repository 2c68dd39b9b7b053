/**
 * The background requests of chat UIs other than Open WebUI (whose tasks have a structure
 * of their own: `open-webui/tasks.ts`): a chat's title, a summary of it to keep as
 * memory, a translation, a decision whether to search the web. Each UI sends them to the
 * chat's model (or to a model the user picks, which may be ours), as an ordinary chat
 * completion. Each entry was read from the UI's source at the version it names, and is
 * recognised by a short phrase of its prompt and where the prompt sits (`recognize.ts`),
 * never by the whole prompt, which each UI words and translates as it likes.
 */

export const BACKGROUND_KINDS = ["title", "summary", "translation", "search", "tags", "follow_ups"] as const;
export type BackgroundKind = (typeof BACKGROUND_KINDS)[number];

/**
 * Where the prompt is: `last_user`, the request's last message, from the user (the
 * history before it, if any, is the chat); `system`, a system message (first or last),
 * with the chat quoted in a user message or sent before it.
 */
export type PromptPlace = "last_user" | "system";

export interface BackgroundRequest {
  ui: string;
  /** The version read: a tag, or a commit where the UI has no release of that code. */
  version: string;
  kind: BackgroundKind;
  /** A few words of the prompt, compared without case and with whitespace collapsed. */
  fingerprint: string;
  place: PromptPlace;
  /** A fixed answer, for a request whose answer the UI parses (a search decision). */
  reply?: string;
}

export const CATALOGUE: readonly BackgroundRequest[] = [
  // app/locales/en.ts (Store.Prompt.Topic, Store.Prompt.Summarize) and app/store/chat.ts: the
  // title is the last N messages then a user message; the summary (once the chat is long)
  // the messages then a system message, streamed, and sent back as a system message later.
  { ui: "NextChat", version: "v2.16.1 (706a18b)", kind: "title", fingerprint: "generate a four to five word title summarizing our conversation", place: "last_user" },
  { ui: "NextChat", version: "v2.16.1 (706a18b)", kind: "summary", fingerprint: "Summarize the discussion briefly in 200 words or less", place: "system" },
  // danny-avila/agents src/utils/title.ts (LibreChat's title run, d8751a6): one user message
  // quoting the chat as `User:` / `AI:` lines; the structured variant asks for JSON through a tool.
  { ui: "LibreChat", version: "@librechat/agents (d8751a6)", kind: "title", fingerprint: "5-word-or-less title for the conversation", place: "last_user" },
  { ui: "LibreChat", version: "@librechat/agents (d8751a6)", kind: "title", fingerprint: "A concise title in the detected language", place: "last_user" },
  // packages/prompts/src/chains: summaryTitle.ts, summaryHistory.ts, translate.ts (2430838,
  // 50af0e9, b9634d5): a system prompt, then the chat (or the text) as one user message.
  { ui: "LobeChat", version: "packages/prompts (2430838)", kind: "title", fingerprint: "Generate a concise title that captures the essence of the conversation", place: "system" },
  { ui: "LobeChat", version: "packages/prompts (50af0e9)", kind: "summary", fingerprint: "good at extracting key takeaways from conversations", place: "system" },
  { ui: "LobeChat", version: "packages/prompts (b9634d5)", kind: "translation", fingerprint: "You are a professional translator. Translate the input text", place: "system" },
  // src/renderer/packages/prompts.ts: nameConversation quotes the first messages in a code
  // block; summarizeConversation (context compaction) follows the chat; the web search
  // decision is a system prompt asking for JSON `{"action": "search" | "proceed"}`.
  { ui: "Chatbox", version: "v1.20.0 (0d3139e)", kind: "title", fingerprint: "give this conversation a name", place: "last_user" },
  { ui: "Chatbox", version: "v1.20.0 (0d3139e)", kind: "summary", fingerprint: "Provide a detailed summary for continuing this conversation", place: "last_user" },
  { ui: "Chatbox", version: "v1.20.0 (0d3139e)", kind: "search", fingerprint: "As a professional web researcher who can access latest data", place: "system", reply: '{"action":"proceed"}' },
  // src/renderer/src/config/prompts.ts (a725439) and the topic naming service (FALLBACK_PROMPT):
  // the title as a system prompt over the chat; translation quotes `<translate_input>`; the
  // search rephraser answers `not_needed` in XML blocks when no search is needed.
  { ui: "Cherry Studio", version: "a725439", kind: "title", fingerprint: "summarize the user's conversation into a title within 10 words", place: "system" },
  { ui: "Cherry Studio", version: "a725439", kind: "title", fingerprint: "Summarize the conversation into a title in", place: "system" },
  { ui: "Cherry Studio", version: "a725439", kind: "translation", fingerprint: "Your only task is to translate text enclosed with <translate_input>", place: "system" },
  {
    ui: "Cherry Studio",
    version: "a725439",
    kind: "search",
    fingerprint: "You are an AI question rephraser",
    place: "system",
    reply: "<websearch>\n<question>\nnot_needed\n</question>\n</websearch>\n<knowledge>\n<question>\nnot_needed\n</question>\n</knowledge>",
  },
  // src/modules/aifn/autotitle/autoTitle.ts: a system prompt, then the last lines as `- You:` /
  // `- Assistant:` in a code block. Its follow-ups (auto-chat-follow-ups: a diagram, a UI; off by
  // default) require a call of their tool: unanswerable without a model, and never worth a run.
  { ui: "big-AGI", version: "v2.1.0 (52adc48)", kind: "title", fingerprint: "You are an AI conversation titles assistant", place: "system" },
  { ui: "big-AGI", version: "v2.1.0 (52adc48)", kind: "follow_ups", fingerprint: "You are an expert AI assistant skilled in creating diagrams", place: "system" },
  { ui: "big-AGI", version: "v2.1.0 (52adc48)", kind: "follow_ups", fingerprint: "You are a helpful AI assistant skilled in creating user interfaces", place: "system" },
  // web/containers/Providers/EventHandler.tsx (3643c88): one user message quoting the first question.
  { ui: "Jan", version: "0.5 (3643c88)", kind: "title", fingerprint: "-word Title. Give the title only.", place: "last_user" },
];
