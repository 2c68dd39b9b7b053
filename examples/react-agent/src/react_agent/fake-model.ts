/**
 * A stand-in for a hosted chat model, so the template runs offline and in tests: it
 * reads the conversation as a model would. Arithmetic goes to the calculator tool; a
 * tool's result is reported; anything else is answered in the model's persona
 * (`fake/brief`, `fake/chatty`, ...), addressing the user by the name the system prompt
 * gives.
 */
import { BaseChatModel, type BaseChatModelCallOptions, type BindToolsInput } from "@langchain/core/language_models/chat_models";
import { AIMessage, type BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";

interface FakeCallOptions extends BaseChatModelCallOptions {
  tools?: BindToolsInput[];
}

const ARITHMETIC = /(-?\d+(?:\.\d+)?)\s*([-+*/])\s*(-?\d+(?:\.\d+)?)/;

export class FakeChatModel extends BaseChatModel<FakeCallOptions> {
  constructor(private readonly persona: string) {
    super({});
  }

  _llmType(): string {
    return "fake";
  }

  override bindTools(tools: BindToolsInput[]) {
    return this.withConfig({ tools } as Partial<FakeCallOptions>);
  }

  private reply(messages: BaseMessage[], options: FakeCallOptions): AIMessage {
    const last = messages.at(-1);
    const name = /The user's name is ([^.]+)\./.exec(messages[0]?.text ?? "")?.[1];
    if (last?.getType() === "tool") return new AIMessage(this.say(`the answer is ${last.text}`, name));
    const sum = ARITHMETIC.exec(last?.text ?? "");
    const canCalculate = options.tools?.some((tool) => (tool as { name?: string }).name === "calculator");
    if (sum && canCalculate) {
      const args = { a: Number(sum[1]), operator: sum[2], b: Number(sum[3]) };
      return new AIMessage({ content: "", tool_calls: [{ type: "tool_call", id: `call_${Date.now()}`, name: "calculator", args }] });
    }
    return new AIMessage(this.say(`you said "${last?.text ?? ""}"`, name));
  }

  private say(text: string, name: string | undefined): string {
    const to = name ? `${name}, ` : "";
    if (this.persona === "brief") return `${to}${text}.`;
    if (this.persona === "chatty") return `Oh, how lovely to hear from you, ${to}${text}! Is there anything else on your mind?`;
    return `${to}${text}.`.replace(/^./, (first) => first.toUpperCase());
  }

  async _generate(messages: BaseMessage[], options: this["ParsedCallOptions"]): Promise<ChatResult> {
    const message = this.reply(messages, options);
    return { generations: [{ text: message.text, message }] };
  }
}
