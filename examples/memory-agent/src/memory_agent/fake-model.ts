/**
 * A stand-in for a hosted chat model, so the template runs offline and in tests. It
 * behaves as the memory agent's model should: "remember ..." becomes an upsertMemory
 * call; a question about what it knows is answered from the memories in its system
 * prompt; anything else gets an invitation to share.
 */
import { BaseChatModel, type BaseChatModelCallOptions, type BindToolsInput } from "@langchain/core/language_models/chat_models";
import { AIMessage, type BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";

interface FakeCallOptions extends BaseChatModelCallOptions {
  tools?: BindToolsInput[];
}

/** The memories in a system prompt: its `- ...` lines between `<memories>` tags. */
function memoriesIn(system: string): string[] {
  const block = /<memories>([\s\S]*?)<\/memories>/.exec(system)?.[1] ?? "";
  return block.split("\n").flatMap((line) => (line.startsWith("- ") ? [line.slice(2)] : []));
}

export class FakeChatModel extends BaseChatModel<FakeCallOptions> {
  constructor() {
    super({});
  }

  _llmType(): string {
    return "fake";
  }

  override bindTools(tools: BindToolsInput[]) {
    return this.withConfig({ tools } as Partial<FakeCallOptions>);
  }

  private reply(messages: BaseMessage[]): AIMessage {
    const last = messages.at(-1);
    if (last?.getType() === "tool") return new AIMessage("Got it, I will remember that.");
    const text = last?.text ?? "";
    const toRemember = /\bremember (?:that )?(.+?)\.?$/i.exec(text)?.[1];
    if (toRemember && !/\bwhat\b/i.test(text)) {
      const args = { content: toRemember, context: "The user asked me to remember it." };
      return new AIMessage({ content: "", tool_calls: [{ type: "tool_call", id: `call_${Date.now()}`, name: "upsertMemory", args }] });
    }
    if (/\bwhat do you (?:know|remember)\b/i.test(text)) {
      const memories = memoriesIn(messages[0]?.text ?? "");
      return new AIMessage(memories.length ? `I remember that ${memories.join("; ")}.` : "I do not remember anything about you yet.");
    }
    return new AIMessage("Nice to meet you! Tell me something about yourself and I will remember it.");
  }

  async _generate(messages: BaseMessage[]): Promise<ChatResult> {
    const message = this.reply(messages);
    return { generations: [{ text: message.text, message }] };
  }
}
